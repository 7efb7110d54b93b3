using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
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

    /// <summary>
    /// The generated binding still maps its own <c>ModelInfer</c> endpoint (protobuf marshallers) on the same route;
    /// this convention ranks it after the hand-written one (a higher route order), so the hand-written one answers.
    /// </summary>
    internal static void PreferWireMethods(EndpointBuilder builder)
    {
        if (builder is RouteEndpointBuilder route
            && builder.Metadata.OfType<GrpcMethodMetadata>().FirstOrDefault()?.Method is Method<ModelInferRequest, ModelInferResponse>)
        {
            route.Order = 1;
        }
    }

    /// <summary>Unary inference from a request read off the wire; errors answer as the generated path does.</summary>
    internal async Task<InferenceResponse> ModelInferWire(WireInferRequest call, ServerCallContext context)
    {
        var received = System.Diagnostics.Stopwatch.GetTimestamp();
        var httpContext = context.GetHttpContext();
        (InferenceResponse? Response, InferenceError? Error, System.Diagnostics.Activity? Span) outcome;
        if (call.Message is { } message)
        {
            outcome = await InferCoreAsync(message, httpContext, received, null, context.CancellationToken).ConfigureAwait(false);
        }
        else if (call.Error is { } refused)
        {
            outcome = (null, refused, Refuse(call.ModelName, call.ModelVersion, httpContext, received, refused));
        }
        else if (!budget.TryReserve(call.WireBytes))
        {
            call.Request!.Dispose();
            var exhausted = new InferenceError(Core.StatusCode.ResourceExhausted, budget.Exhausted(call.WireBytes));
            outcome = (null, exhausted, Refuse(call.ModelName, call.ModelVersion, httpContext, received, exhausted));
        }
        else
        {
            outcome = await RunAsync(call.Request!, call.WireBytes, call.ModelName, httpContext, received, null, context.CancellationToken).ConfigureAwait(false);
        }

        RequestTracing.AddResponseHeader(httpContext, outcome.Span);
        if (outcome.Error is not null)
        {
            context.Status = new Status(GrpcErrors.ToGrpc(outcome.Error.Code), outcome.Error.Message);
            return WireInferResponse.Empty;
        }

        // The outputs' buffers are written into the frame by the serializer: release them only after that.
        httpContext.Response.RegisterForDispose(outcome.Response!);
        return outcome.Response!;
    }

    /// <summary>Adds the hand-written methods to <see cref="InferenceGrpcService"/>'s endpoints.</summary>
    internal sealed class WireMethodProvider : IServiceMethodProvider<InferenceGrpcService>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<InferenceGrpcService> context) =>
            context.AddUnaryMethod(WireModelInfer, [new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)],
                static (service, request, call) => service.ModelInferWire(request, call));
    }
}
