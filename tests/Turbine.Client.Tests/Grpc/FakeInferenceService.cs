using System.Collections.Concurrent;
using Grpc.Core;
using Turbine.Protocol.Grpc;

namespace Turbine.Client.Tests.Grpc;

/// <summary>
/// A GRPCInferenceService that records every request (and the call's deadline) and answers with what the test
/// set; an unset handler answers Unimplemented.
/// </summary>
public sealed class FakeInferenceService : GRPCInferenceService.GRPCInferenceServiceBase
{
    public ConcurrentQueue<object> Requests { get; } = new();

    public ConcurrentQueue<DateTime> Deadlines { get; } = new();

    public Func<ServerLiveRequest, ServerCallContext, Task<ServerLiveResponse>>? Live { get; set; }
    public Func<ServerReadyRequest, ServerCallContext, Task<ServerReadyResponse>>? Ready { get; set; }
    public Func<ModelReadyRequest, ServerCallContext, Task<ModelReadyResponse>>? ModelReadyHandler { get; set; }
    public Func<ServerMetadataRequest, ServerCallContext, Task<ServerMetadataResponse>>? ServerMetadataHandler { get; set; }
    public Func<ModelMetadataRequest, ServerCallContext, Task<ModelMetadataResponse>>? ModelMetadataHandler { get; set; }
    public Func<ModelInferRequest, ServerCallContext, Task<ModelInferResponse>>? Infer { get; set; }
    public Func<IAsyncStreamReader<ModelInferRequest>, IServerStreamWriter<ModelStreamInferResponse>, ServerCallContext, Task>? Stream { get; set; }
    public Func<ModelConfigRequest, ServerCallContext, Task<ModelConfigResponse>>? Config { get; set; }
    public Func<ModelStatisticsRequest, ServerCallContext, Task<ModelStatisticsResponse>>? Statistics { get; set; }
    public Func<RepositoryIndexRequest, ServerCallContext, Task<RepositoryIndexResponse>>? Index { get; set; }
    public Func<RepositoryModelLoadRequest, ServerCallContext, Task<RepositoryModelLoadResponse>>? Load { get; set; }
    public Func<RepositoryModelUnloadRequest, ServerCallContext, Task<RepositoryModelUnloadResponse>>? Unload { get; set; }

    public T Last<T>() => Requests.OfType<T>().Last();

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) => Handle(Live, request, context);
    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) => Handle(Ready, request, context);
    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) => Handle(ModelReadyHandler, request, context);
    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) => Handle(ServerMetadataHandler, request, context);
    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) => Handle(ModelMetadataHandler, request, context);
    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context) => Handle(Infer, request, context);
    public override Task<ModelConfigResponse> ModelConfig(ModelConfigRequest request, ServerCallContext context) => Handle(Config, request, context);
    public override Task<ModelStatisticsResponse> ModelStatistics(ModelStatisticsRequest request, ServerCallContext context) => Handle(Statistics, request, context);
    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context) => Handle(Index, request, context);
    public override Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context) => Handle(Load, request, context);
    public override Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context) => Handle(Unload, request, context);

    public override Task ModelStreamInfer(IAsyncStreamReader<ModelInferRequest> requestStream, IServerStreamWriter<ModelStreamInferResponse> responseStream, ServerCallContext context) =>
        Stream is null ? throw new RpcException(new Status(StatusCode.Unimplemented, "no stream handler")) : Stream(requestStream, responseStream, context);

    private Task<TResponse> Handle<TRequest, TResponse>(Func<TRequest, ServerCallContext, Task<TResponse>>? handler, TRequest request, ServerCallContext context)
        where TRequest : class
    {
        Requests.Enqueue(request);
        Deadlines.Enqueue(context.Deadline);
        return handler is null
            ? throw new RpcException(new Status(StatusCode.Unimplemented, $"no handler for {typeof(TRequest).Name}"))
            : handler(request, context);
    }
}
