using System.Text.Json;

namespace Turbine.Client;

/// <summary>
/// The Open Inference Protocol operations that <see cref="TurbineHttpClient"/> (REST) and
/// <see cref="TurbineGrpcClient"/> (gRPC) both offer, so callers can switch protocol.
/// </summary>
public interface ITurbineClient : IDisposable
{
    /// <summary>Whether the server is live.</summary>
    Task<bool> IsLiveAsync(CancellationToken ct = default);

    /// <summary>Whether the server is ready.</summary>
    Task<bool> IsReadyAsync(CancellationToken ct = default);

    /// <summary>Whether a model (version) is ready.</summary>
    Task<bool> IsModelReadyAsync(string model, string? version = null, CancellationToken ct = default);

    /// <summary>Server name, version and extensions.</summary>
    Task<ServerMetadataResult> GetServerMetadataAsync(CancellationToken ct = default);

    /// <summary>A model's name, versions, platform, inputs and outputs.</summary>
    Task<ModelMetadataResult> GetModelMetadataAsync(string model, string? version = null, CancellationToken ct = default);

    /// <summary>A model's configuration as JSON (Triton's snake_case shape). The caller disposes the document.</summary>
    Task<JsonDocument> GetModelConfigAsync(string model, string? version = null, CancellationToken ct = default);

    /// <summary>Statistics as <c>{"model_stats":[...]}</c>, for every model when none is named. The caller disposes the document.</summary>
    Task<JsonDocument> GetModelStatisticsAsync(string? model = null, string? version = null, CancellationToken ct = default);

    /// <summary>The models of the repository, only the ready ones with <paramref name="readyOnly"/>.</summary>
    Task<IReadOnlyList<RepositoryIndexItem>> GetRepositoryIndexAsync(bool readyOnly = false, CancellationToken ct = default);

    /// <summary>Loads (or reloads) a model, with an optional configuration JSON that overrides the one on disk.</summary>
    Task LoadModelAsync(string model, string? configJson = null, CancellationToken ct = default);

    /// <summary>Unloads a model.</summary>
    Task UnloadModelAsync(string model, CancellationToken ct = default);

    /// <summary>One inference request.</summary>
    /// <exception cref="TurbineClientException">The server answered with an error, or with a response the client cannot read.</exception>
    Task<InferResult> InferAsync(
        string model,
        IReadOnlyList<InferInput> inputs,
        IReadOnlyList<InferRequestedOutput>? outputs = null,
        InferOptions? options = null,
        CancellationToken ct = default);
}
