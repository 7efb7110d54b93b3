using System.Text.Json;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Turbine.Client.Internal;
using Turbine.Protocol.Grpc;

namespace Turbine.Client;

/// <summary>
/// Client for the Open Inference Protocol (KServe v2) gRPC API with Triton's extensions
/// (<c>inference.GRPCInferenceService</c>): the same operations as <see cref="TurbineHttpClient"/>, plus
/// ModelStreamInfer. Errors surface as <see cref="TurbineClientException"/> with
/// <see cref="TurbineClientException.GrpcStatusCode"/> set. Thread-safe; reuse one instance.
/// </summary>
public sealed partial class TurbineGrpcClient : ITurbineClient
{
    private readonly GrpcChannel? _ownedChannel;
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client;

    /// <summary>Creates a client that owns a <see cref="GrpcChannel"/> to <paramref name="address"/>.</summary>
    /// <param name="address">Server address, for example <c>http://localhost:8001</c>.</param>
    /// <param name="options">
    /// Channel options; when null, the send and receive message limits are <see cref="int.MaxValue"/> so large
    /// tensors fit (Grpc.Net.Client's own default receive limit is 4 MB).
    /// </param>
    /// <param name="bearerToken">
    /// Optional token sent as <c>authorization: Bearer &lt;token&gt;</c> metadata on every call: the server's
    /// management token (repository load/unload) or a gateway API key or JWT.
    /// </param>
    public TurbineGrpcClient(Uri address, GrpcChannelOptions? options = null, string? bearerToken = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri)
        {
            throw new ArgumentException($"the server address must be absolute, not '{address}'", nameof(address));
        }

        options ??= new GrpcChannelOptions { MaxReceiveMessageSize = int.MaxValue, MaxSendMessageSize = int.MaxValue };
        _ownedChannel = GrpcChannel.ForAddress(address, options);
        _client = bearerToken is null
            ? new GRPCInferenceService.GRPCInferenceServiceClient(_ownedChannel)
            : new GRPCInferenceService.GRPCInferenceServiceClient(_ownedChannel.Intercept(metadata =>
            {
                metadata.Add("authorization", "Bearer " + bearerToken);
                return metadata;
            }));
    }

    /// <summary>Creates a client over a channel that the caller owns; it is not disposed with the client.</summary>
    public TurbineGrpcClient(GrpcChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
    }

    /// <summary>ServerLive: the server's <c>live</c> flag.</summary>
    public async Task<bool> IsLiveAsync(CancellationToken ct = default) =>
        (await GrpcErrors.CallAsync(_client.ServerLiveAsync(new ServerLiveRequest(), cancellationToken: ct)).ConfigureAwait(false)).Live;

    /// <summary>ServerReady: the server's <c>ready</c> flag.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken ct = default) =>
        (await GrpcErrors.CallAsync(_client.ServerReadyAsync(new ServerReadyRequest(), cancellationToken: ct)).ConfigureAwait(false)).Ready;

    /// <summary>How a Triton-compatible server starts the message of an unknown model (INVALID_ARGUMENT).</summary>
    private const string UnknownModelPrefix = "Request for unknown model:";

    /// <summary>ModelReady: the model's <c>ready</c> flag; false when the server answers that it does not know the model or version.</summary>
    public async Task<bool> IsModelReadyAsync(string model, string? version = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        try
        {
            var request = new ModelReadyRequest { Name = model, Version = version ?? string.Empty };
            return (await GrpcErrors.CallAsync(_client.ModelReadyAsync(request, cancellationToken: ct)).ConfigureAwait(false)).Ready;
        }
        catch (TurbineClientException e) when (e.GrpcStatusCode == StatusCode.NotFound
            || (e.GrpcStatusCode == StatusCode.InvalidArgument && e.ServerMessage.StartsWith(UnknownModelPrefix, StringComparison.Ordinal)))
        {
            return false;
        }
    }

    /// <summary>ServerMetadata.</summary>
    public async Task<ServerMetadataResult> GetServerMetadataAsync(CancellationToken ct = default)
    {
        var response = await GrpcErrors.CallAsync(_client.ServerMetadataAsync(new ServerMetadataRequest(), cancellationToken: ct))
            .ConfigureAwait(false);
        return new ServerMetadataResult(response.Name, response.Version, [.. response.Extensions]);
    }

    /// <summary>ModelMetadata.</summary>
    public async Task<ModelMetadataResult> GetModelMetadataAsync(string model, string? version = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        var request = new ModelMetadataRequest { Name = model, Version = version ?? string.Empty };
        var response = await GrpcErrors.CallAsync(_client.ModelMetadataAsync(request, cancellationToken: ct)).ConfigureAwait(false);
        return new ModelMetadataResult(
            response.Name,
            [.. response.Versions],
            response.Platform,
            [.. response.Inputs.Select(ToTensor)],
            [.. response.Outputs.Select(ToTensor)]);
    }

    /// <summary>
    /// ModelConfig, as the JSON of the REST <c>/config</c> endpoint: proto field names, defaults written, enums
    /// by name, 64-bit integers as numbers. The caller disposes the document.
    /// </summary>
    public async Task<JsonDocument> GetModelConfigAsync(string model, string? version = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        var request = new ModelConfigRequest { Name = model, Version = version ?? string.Empty };
        var response = await GrpcErrors.CallAsync(_client.ModelConfigAsync(request, cancellationToken: ct)).ConfigureAwait(false);
        return ProtoJson.ToDocument(response.Config ?? new Protocol.Grpc.ModelConfig());
    }

    /// <summary>ModelStatistics, as the REST JSON <c>{"model_stats":[...]}</c>. The caller disposes the document.</summary>
    public async Task<JsonDocument> GetModelStatisticsAsync(string? model = null, string? version = null, CancellationToken ct = default)
    {
        if (model is null && version is not null)
        {
            throw new ArgumentException("a version needs a model name", nameof(version));
        }

        var request = new ModelStatisticsRequest { Name = model ?? string.Empty, Version = version ?? string.Empty };
        var response = await GrpcErrors.CallAsync(_client.ModelStatisticsAsync(request, cancellationToken: ct)).ConfigureAwait(false);
        return ProtoJson.ToDocument(response, fillMessages: true);
    }

    /// <summary>RepositoryIndex with <c>ready = readyOnly</c>.</summary>
    public async Task<IReadOnlyList<RepositoryIndexItem>> GetRepositoryIndexAsync(bool readyOnly = false, CancellationToken ct = default)
    {
        var request = new RepositoryIndexRequest { Ready = readyOnly };
        var response = await GrpcErrors.CallAsync(_client.RepositoryIndexAsync(request, cancellationToken: ct)).ConfigureAwait(false);
        return [.. response.Models.Select(m => new RepositoryIndexItem(m.Name, m.Version, m.State, m.Reason))];
    }

    /// <summary>RepositoryModelLoad; with <paramref name="configJson"/> it sends parameter <c>config</c> as string_param.</summary>
    public async Task LoadModelAsync(string model, string? configJson = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        var request = new RepositoryModelLoadRequest { ModelName = model };
        if (configJson is not null)
        {
            request.Parameters["config"] = new ModelRepositoryParameter { StringParam = configJson };
        }

        await GrpcErrors.CallAsync(_client.RepositoryModelLoadAsync(request, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <summary>RepositoryModelUnload.</summary>
    public async Task UnloadModelAsync(string model, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        var request = new RepositoryModelUnloadRequest { ModelName = model };
        await GrpcErrors.CallAsync(_client.RepositoryModelUnloadAsync(request, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <summary>Disposes the gRPC channel when this client created it.</summary>
    public void Dispose() => _ownedChannel?.Dispose();

    private static TensorMetadataResult ToTensor(ModelMetadataResponse.Types.TensorMetadata t) =>
        new(t.Name, t.Datatype, [.. t.Shape]);
}
