using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Core;
using Turbine.Protocol.Grpc;
using Turbine.Server.Telemetry;

namespace Turbine.Server.Grpc;

/// <summary>
/// <c>ModelInfer</c> through the hand-written marshaller: the request is read from the frame by
/// <see cref="WireInferRequestReader"/> and the response written by <see cref="WireInferResponse"/>, with no protobuf
/// message objects in between. Everything after parsing is the generated path's code (<see cref="RunAsync"/>).
/// </summary>
internal sealed partial class InferenceGrpcService
{
    private const string ServiceName = "inference.GRPCInferenceService";

    /// <summary><c>ModelInfer</c> with the hand-written marshallers.</summary>
    internal static readonly Method<WireInferRequest, InferenceResponse> WireModelInfer = new(
        MethodType.Unary, ServiceName, "ModelInfer",
        Marshallers.Create<WireInferRequest>(
            (_, _) => throw new NotSupportedException("the server never sends a ModelInferRequest"),
            context => WireInferRequestReader.Read(context.PayloadAsReadOnlySequence())),
        Marshallers.Create<InferenceResponse>(
            WireInferResponse.Serialize,
            _ => throw new NotSupportedException("the server never reads a ModelInferResponse")));

    /// <summary><c>ModelStreamInfer</c> with the hand-written marshallers (each message read as a unary request is).</summary>
    internal static readonly Method<WireInferRequest, WireStreamReply> WireModelStreamInfer = new(
        MethodType.DuplexStreaming, ServiceName, "ModelStreamInfer",
        WireModelInfer.RequestMarshaller,
        Marshallers.Create<WireStreamReply>(
            WireInferResponse.SerializeStream,
            _ => throw new NotSupportedException("the server never reads a ModelStreamInferResponse")));

    /// <summary>
    /// The generated binding still maps its own <c>ModelInfer</c> and <c>ModelStreamInfer</c> endpoints (protobuf
    /// marshallers) on the same routes; this convention ranks them after the hand-written ones (a higher route order), so the hand-written one answers.
    /// </summary>
    internal static void PreferWireMethods(EndpointBuilder builder)
    {
        if (builder is RouteEndpointBuilder route
            && builder.Metadata.OfType<GrpcMethodMetadata>().FirstOrDefault()?.Method is Method<ModelInferRequest, ModelInferResponse> or Method<ModelInferRequest, ModelStreamInferResponse>)
        {
            route.Order = 1;
        }
    }

    /// <summary>Unary inference from a request read off the wire; errors answer as the generated path does.</summary>
    internal async Task<InferenceResponse> ModelInferWire(WireInferRequest call, ServerCallContext context)
    {
        var httpContext = context.GetHttpContext();
        var (response, error, span) = await InferWireAsync(call, httpContext, null, context.CancellationToken).ConfigureAwait(false);
        RequestTracing.AddResponseHeader(httpContext, span);
        if (error is not null)
        {
            context.Status = new Status(GrpcErrors.ToGrpc(error.Code), error.Message);
            return WireInferResponse.Empty;
        }

        // The outputs' buffers are written into the frame by the serializer: release them only after that.
        httpContext.Response.RegisterForDispose(response!);
        return response!;
    }

    /// <summary>
    /// Runs one request read off the wire (a unary call's, or one message of a stream with its sink): what protobuf
    /// parsed goes the generated path's way; a refused read is recorded; a built request runs with its wire bytes
    /// reserved in the body budget. The caller owns the returned response.
    /// </summary>
    private Task<(InferenceResponse? Response, InferenceError? Error, System.Diagnostics.Activity? Span)> InferWireAsync(WireInferRequest call,
        HttpContext httpContext, IInferenceResponseSink? sink, CancellationToken cancellationToken)
    {
        var received = System.Diagnostics.Stopwatch.GetTimestamp();
        if (call.Message is { } message)
        {
            return InferCoreAsync(message, httpContext, received, sink, cancellationToken);
        }

        if (call.Error is { } refused)
        {
            return Task.FromResult<(InferenceResponse?, InferenceError?, System.Diagnostics.Activity?)>(
                (null, refused, Refuse(call.ModelName, call.ModelVersion, httpContext, received, refused)));
        }

        if (!budget.TryReserve(call.WireBytes))
        {
            call.Request!.Dispose();
            var exhausted = new InferenceError(Core.StatusCode.ResourceExhausted, budget.Exhausted(call.WireBytes));
            return Task.FromResult<(InferenceResponse?, InferenceError?, System.Diagnostics.Activity?)>(
                (null, exhausted, Refuse(call.ModelName, call.ModelVersion, httpContext, received, exhausted)));
        }

        return RunAsync(call.Request!, call.WireBytes, call.ModelName, httpContext, received, sink, cancellationToken);
    }

    /// <summary>Adds the hand-written methods to <see cref="InferenceGrpcService"/>'s endpoints.</summary>
    internal sealed class WireMethodProvider : IServiceMethodProvider<InferenceGrpcService>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<InferenceGrpcService> context)
        {
            context.AddUnaryMethod(WireModelInfer, [new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)],
                static (service, request, call) => service.ModelInferWire(request, call));
            context.AddDuplexStreamingMethod(WireModelStreamInfer, [new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)],
                static (service, requests, responses, call) => service.ModelStreamInferWire(requests, responses, call));
        }
    }
}
