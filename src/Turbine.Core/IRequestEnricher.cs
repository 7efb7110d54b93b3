namespace Turbine.Core;

/// <summary>
/// Replaces some of a request's inputs before it is scheduled, for the models it <see cref="Enriches"/>: the feature
/// store (<c>Turbine.Features</c>) turns entity-id inputs (<c>user_id</c>) into the model's feature tensor. Front ends
/// call it after parsing a request and before handing it to the engine; none is registered by default.
/// </summary>
public interface IRequestEnricher
{
    /// <summary>Whether requests for <paramref name="model"/> are enriched (checked first; must be quick).</summary>
    bool Enriches(string model);

    /// <summary>Rewrites <paramref name="request"/>'s inputs; returns the error to answer instead (bad ids: InvalidArgument, store down: Unavailable), or null.</summary>
    ValueTask<InferenceError?> EnrichAsync(InferenceRequest request, CancellationToken cancellationToken);
}
