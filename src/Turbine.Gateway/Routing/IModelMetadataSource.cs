using Turbine.Client;

namespace Turbine.Gateway.Routing;

/// <summary>
/// Model metadata as the backends report it (<c>GET /v2/models/{m}</c> through a healthy replica of the model's
/// pool), cached per model; used by transformations such as the KServe v1 translation that need input names and
/// datatypes. Null when the model is unknown (not routed, or unknown to the backends); implementations may throw
/// <see cref="ModelMetadataUnavailableException"/> or <see cref="HttpRequestException"/> when no backend can be asked.
/// </summary>
public interface IModelMetadataSource
{
    ValueTask<ModelMetadataResult?> GetAsync(string model, CancellationToken cancellationToken);
}
