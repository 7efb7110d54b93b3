using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Turbine.Core;
using Turbine.Core.Repository;
using Turbine.Protocol.Grpc;
using Turbine.Server.Http;
using Turbine.Server.Security;
using Turbine.Server.Telemetry;

namespace Turbine.Server.Grpc;

/// <summary>
/// <c>inference.GRPCInferenceService</c>: the same engine API as the REST front end, the same error messages,
/// mapped to gRPC status codes.
/// </summary>
internal sealed partial class InferenceGrpcService(InferenceEngine engine, StreamFlow flow, RequestBodyBudget budget, ServerOptions options, StreamHooks hooks, Logging.LogSettings logSettings, TraceSettings traceSettings) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = engine.IsLive });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = engine.IsReady });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        var version = GrpcInferRequestReader.ParseVersion(request.Version);
        if (!version.IsOk)
        {
            return Task.FromResult(GrpcErrors.Fail<ModelReadyResponse>(context, version.Error));
        }

        var readiness = engine.GetModelReadiness(request.Name, version.Value == 0 ? null : version.Value);
        return Task.FromResult(readiness.IsOk
            ? new ModelReadyResponse { Ready = readiness.Value }
            : GrpcErrors.Fail<ModelReadyResponse>(context, readiness.Error));
    }

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var response = new ServerMetadataResponse { Name = engine.Metadata.Name, Version = engine.Metadata.Version };
        response.Extensions.Add(engine.Metadata.Extensions);
        return Task.FromResult(response);
    }

    public override async Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) =>
        await EnsureLoadedAsync(request.Name, request.Version, context).ConfigureAwait(false) is { } notLoaded
            ? GrpcErrors.Fail<ModelMetadataResponse>(context, notLoaded)
            : await Answer(context, request.Version, v => engine.GetModelMetadata(request.Name, v), GrpcResponses.Metadata).ConfigureAwait(false);

    public override async Task<ModelConfigResponse> ModelConfig(ModelConfigRequest request, ServerCallContext context) =>
        await EnsureLoadedAsync(request.Name, request.Version, context).ConfigureAwait(false) is { } notLoaded
            ? GrpcErrors.Fail<ModelConfigResponse>(context, notLoaded)
            : await Answer(context, request.Version, v => engine.GetModelConfig(request.Name, v),
                c => new ModelConfigResponse { Config = ModelConfigMessage.From(c) }).ConfigureAwait(false);

    /// <summary>Under a memory budget, a model not loaded loads first; null, or why it cannot (too big for the budget).</summary>
    private async ValueTask<InferenceError?> EnsureLoadedAsync(string model, string versionText, ServerCallContext context)
    {
        var version = GrpcInferRequestReader.ParseVersion(versionText);
        return version.IsOk
            ? await engine.EnsureModelLoadedAsync(model, version.Value == 0 ? null : version.Value, context.CancellationToken).ConfigureAwait(false)
            : null;
    }

    public override Task<ModelStatisticsResponse> ModelStatistics(ModelStatisticsRequest request, ServerCallContext context) =>
        Answer(context, request.Version, v => engine.GetStatistics(request.Name, v), GrpcResponses.Statistics);

    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context) =>
        Task.FromResult(GrpcResponses.Index(engine.GetRepositoryIndex(request.Ready)));

    [ManagementOperation]
    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        string? config = null;
        var files = new List<ModelFileOverride>();
        foreach (var (key, p) in request.Parameters)
        {
            if (key == "config" && p.ParameterChoiceCase == ModelRepositoryParameter.ParameterChoiceOneofCase.StringParam)
            {
                config = p.StringParam;
            }
            else if (key == "config" && p.ParameterChoiceCase == ModelRepositoryParameter.ParameterChoiceOneofCase.BytesParam)
            {
                config = p.BytesParam.ToStringUtf8();
            }
            else if (key.StartsWith("file:", StringComparison.Ordinal))
            {
                // Triton's gRPC carries file contents as bytes_param; the message is already bounded by its size limit.
                if (p.ParameterChoiceCase != ModelRepositoryParameter.ParameterChoiceOneofCase.BytesParam)
                {
                    return GrpcErrors.Fail<RepositoryModelLoadResponse>(context, ModelFileOverride.PollFailure(request.ModelName,
                        $"File parameter '{key}' must have bytes type for its value (bytes_param), got {p.ParameterChoiceCase}"));
                }

                files.Add(new ModelFileOverride(key["file:".Length..], p.BytesParam.Memory));
            }
            else
            {
                return GrpcErrors.Fail<RepositoryModelLoadResponse>(context, InferenceError.InvalidArgument(
                    $"load parameter '{key}' is not recognised or has the wrong type ('config' takes a JSON model configuration as a string, 'file:PATH' the file's bytes as bytes_param)"));
            }
        }

        var error = await engine.LoadModelAsync(request.ModelName, config, files, context.CancellationToken).ConfigureAwait(false);
        return error is null ? new RepositoryModelLoadResponse() : GrpcErrors.Fail<RepositoryModelLoadResponse>(context, error);
    }

    [ManagementOperation]
    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        foreach (var (key, p) in request.Parameters)
        {
            if (key != "unload_dependents" || p.ParameterChoiceCase != ModelRepositoryParameter.ParameterChoiceOneofCase.BoolParam)
            {
                return GrpcErrors.Fail<RepositoryModelUnloadResponse>(context, InferenceError.InvalidArgument(
                    $"unload parameter '{key}' is not recognised or has the wrong type ('unload_dependents' takes a bool)"));
            }
        }

        var dependents = request.Parameters.TryGetValue("unload_dependents", out var flag) && flag.BoolParam;
        var error = await engine.UnloadModelAsync(request.ModelName, dependents, context.CancellationToken).ConfigureAwait(false);
        return error is null ? new RepositoryModelUnloadResponse() : GrpcErrors.Fail<RepositoryModelUnloadResponse>(context, error);
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var (response, error) = await InferAsync(request, context, unary: true, sink: null).ConfigureAwait(false);
        if (error is not null)
        {
            return GrpcErrors.Fail<ModelInferResponse>(context, error);
        }

        // The message wraps the outputs' buffers: release them only after gRPC has written the response.
        context.GetHttpContext().Response.RegisterForDispose(response!);
        return GrpcResponses.Infer(response!);
    }

    /// <summary>The shape of every per-model query rpc: parse the version, ask the engine, map the value or the error.</summary>
    private static Task<TResponse> Answer<TValue, TResponse>(ServerCallContext context, string versionText,
        Func<long?, Result<TValue>> query, Func<TValue, TResponse> map)
        where TResponse : new()
    {
        var version = GrpcInferRequestReader.ParseVersion(versionText);
        if (!version.IsOk)
        {
            return Task.FromResult(GrpcErrors.Fail<TResponse>(context, version.Error));
        }

        var result = query(version.Value == 0 ? null : version.Value);
        return Task.FromResult(result.IsOk ? map(result.Value) : GrpcErrors.Fail<TResponse>(context, result.Error));
    }

    /// <summary>Parses and runs one request; the caller owns the returned response.</summary>
    /// <remarks>
    /// Each request gets a <c>turbine.infer</c> span (the engine's) under the call's W3C context and one duration
    /// observation, ended when the response is released; a unary call also returns the span's <c>traceparent</c> in its
    /// response headers (a stream's headers are long gone by its later messages).
    /// </remarks>
    private async Task<(InferenceResponse? Response, InferenceError? Error)> InferAsync(ModelInferRequest message, ServerCallContext context, bool unary,
        IInferenceResponseSink? sink)
    {
        var received = System.Diagnostics.Stopwatch.GetTimestamp();
        var httpContext = context.GetHttpContext();
        var (response, error, span) = await InferCoreAsync(message, httpContext, received, sink, context.CancellationToken).ConfigureAwait(false);
        if (unary)
        {
            RequestTracing.AddResponseHeader(httpContext, span);
        }

        return (response, error);
    }

    private Task<(InferenceResponse? Response, InferenceError? Error, System.Diagnostics.Activity? Span)> InferCoreAsync(ModelInferRequest message,
        HttpContext httpContext, long received, IInferenceResponseSink? sink, CancellationToken cancellationToken)
    {
        // The message and the tensors its typed contents become count against the server-wide body budget, reserved
        // before any conversion and returned when the engine is done with the request.
        var reserved = message.CalculateSize() + GrpcInferRequestReader.TypedContentsBytes(message);
        if (!budget.TryReserve(reserved))
        {
            var exhausted = new InferenceError(Core.StatusCode.ResourceExhausted, budget.Exhausted(reserved));
            return Task.FromResult<(InferenceResponse?, InferenceError?, System.Diagnostics.Activity?)>((null, exhausted, Refuse(message.ModelName, message.ModelVersion, httpContext, received, exhausted)));
        }

        InferenceRequest request;
        try
        {
            var parsed = GrpcInferRequestReader.Read(message, options.MaxRequestBodyBytes);
            if (!parsed.IsOk)
            {
                budget.Release(reserved);
                return Task.FromResult<(InferenceResponse?, InferenceError?, System.Diagnostics.Activity?)>((null, parsed.Error, Refuse(message.ModelName, message.ModelVersion, httpContext, received, parsed.Error)));
            }

            request = parsed.Value;
        }
        catch
        {
            budget.Release(reserved);
            throw;
        }

        return RunAsync(request, reserved, message.ModelName, httpContext, received, sink, cancellationToken);
    }

    /// <summary>
    /// Runs a parsed request (disposing it) with <paramref name="reserved"/> bytes of the body budget already held,
    /// given back when the engine is done.
    /// </summary>
    private async Task<(InferenceResponse? Response, InferenceError? Error, System.Diagnostics.Activity? Span)> RunAsync(InferenceRequest parsedRequest,
        long reserved, string modelName, HttpContext httpContext, long received, IInferenceResponseSink? sink, CancellationToken cancellationToken)
    {
        try
        {
            using var request = parsedRequest;
            RequestTracing.Describe(request, httpContext, RequestProtocol.Grpc, received);
            if (httpContext.RequestServices.GetService(typeof(IRequestEnricher)) is IRequestEnricher enricher && enricher.Enriches(request.ModelName)
                && await enricher.EnrichAsync(request, cancellationToken).ConfigureAwait(false) is { } enrichError)
            {
                engine.RecordRefused(request, enrichError);
                return (null, enrichError, request.Activity);
            }

            if (sink is not null)
            {
                // The stream: every response goes to the sink (a decoupled model's many, an ordinary model's one).
                var streamed = await engine.InferStreamAsync(request, sink, cancellationToken).ConfigureAwait(false);
                return (null, streamed is null ? null : Cancelled(streamed, modelName, cancellationToken), request.Activity);
            }

            // Under a memory budget a model not loaded loads first, so the decoupled check below sees its config.
            if (await engine.EnsureModelLoadedAsync(request.ModelName, request.ModelVersion, cancellationToken).ConfigureAwait(false) is { } notLoaded)
            {
                engine.RecordRefused(request, notLoaded);
                return (null, notLoaded, request.Activity);
            }

            if (engine.IsDecoupled(request))
            {
                // Triton's check and text (grpc_server.cc ModelInferHandler): one request, one response is not this model's contract.
                var refused = InferenceError.Unsupported("ModelInfer RPC doesn't support models with decoupled transaction policy");
                engine.RecordRefused(request, refused);
                return (null, refused, request.Activity);
            }

            var result = await engine.InferAsync(request, cancellationToken).ConfigureAwait(false);
            if (!result.IsOk)
            {
                return (null, Cancelled(result.Error, modelName, cancellationToken), request.Activity);
            }

            return (result.Value, null, request.Activity);
        }
        finally
        {
            budget.Release(reserved);
        }
    }

    private static InferenceError Cancelled(InferenceError error, string modelName, CancellationToken cancellationToken) =>
        error.Code == Core.StatusCode.Cancelled && cancellationToken.IsCancellationRequested
            ? new InferenceError(Core.StatusCode.Cancelled, $"request for model '{modelName}' was cancelled by the client or its deadline")
            : error;

    /// <summary>A request refused before the engine saw it: the engine records it; returns its span.</summary>
    private System.Diagnostics.Activity? Refuse(string modelName, string modelVersion, HttpContext httpContext, long received, InferenceError error)
    {
        long? version = long.TryParse(modelVersion, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
        using var refused = new InferenceRequest(modelName, version);
        RequestTracing.Describe(refused, httpContext, RequestProtocol.Grpc, received);
        engine.RecordRefused(refused, error);
        return refused.Activity;
    }
}
