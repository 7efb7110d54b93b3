using System.Buffers.Binary;
using Microsoft.AspNetCore.Http;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Proxy;

namespace Turbine.Gateway.Routing;

/// <summary>
/// Sets <see cref="GatewayRequestInfo"/> and <see cref="GatewayRoute"/> for every request: REST by method and path;
/// gRPC by method and the model field of the first message, which is read here and replayed to the backend.
/// </summary>
internal sealed class ClassificationMiddleware(RequestDelegate next, IGatewayConfigSource config)
{
    /// <summary>Largest first gRPC message read to find the model name (the whole unary request).</summary>
    public const int MaxFirstMessageBytes = 64 << 20;

    public async Task InvokeAsync(HttpContext context)
    {
        var info = new GatewayRequestInfo();
        var route = new GatewayRoute();
        context.Features.Set(info);
        context.Features.Set(route);
        if (GatewayErrors.IsGrpc(context))
        {
            info.Protocol = "grpc";
            var (kind, operation, modelField, versionField, streaming, method) = GrpcClassifier.ClassifyMethod(context.Request.Path.Value ?? "");
            route.Kind = kind;
            route.GrpcMethod = method;
            route.Streaming = streaming;
            info.Operation = operation;
            if (modelField > 0)
            {
                var read = await ReadFirstMessageAsync(context, modelField, versionField).ConfigureAwait(false);
                if (read.Error is not null)
                {
                    await GatewayErrors.WriteAsync(context, StatusCodes.Status400BadRequest, GatewayErrors.GrpcInvalidArgument, read.Error).ConfigureAwait(false);
                    return;
                }

                info.Model = string.IsNullOrEmpty(read.Model) ? null : read.Model;
                info.Version = string.IsNullOrEmpty(read.Version) ? null : read.Version;
                if (info.Model is null)
                {
                    // ModelStatistics without a name asks for every model: server-wide.
                    route.Kind = method == "ModelStatistics" ? RouteKind.ServerWide : route.Kind;
                }
            }
        }
        else
        {
            var (kind, operation, model, version, protocol) = RestClassifier.Classify(context.Request.Method, context.Request.Path.Value ?? "/", config.Current.Metrics.Path);
            route.Kind = kind;
            info.Operation = operation;
            info.Model = model;
            info.Version = version;
            info.Protocol = protocol;
        }

        await next(context).ConfigureAwait(false);
    }

    private static async Task<(string? Model, string? Version, string? Error)> ReadFirstMessageAsync(HttpContext context, int modelField, int versionField)
    {
        var body = context.Request.Body;
        var header = new byte[5];
        var got = await body.ReadAtLeastAsync(header, 5, throwOnEndOfStream: false, context.RequestAborted).ConfigureAwait(false);
        if (got < 5)
        {
            context.Request.Body = new ReplayStream(header, got, body);
            return (null, null, got == 0 ? "the call has no request message: the gateway routes by the model named in it" : "truncated gRPC message frame");
        }

        if (header[0] != 0)
        {
            return (null, null, "compressed request messages cannot be routed by the gateway: send the first message uncompressed");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        if (length > MaxFirstMessageBytes)
        {
            return (null, null, $"the first request message is {length} bytes; the gateway reads at most {MaxFirstMessageBytes} to route it");
        }

        var frame = new byte[5 + (int)length];
        header.CopyTo(frame, 0);
        var read = await body.ReadAtLeastAsync(frame.AsMemory(5), (int)length, throwOnEndOfStream: false, context.RequestAborted).ConfigureAwait(false);
        if (read < length)
        {
            return (null, null, "truncated gRPC message frame");
        }

        context.Request.Body = new ReplayStream(frame, frame.Length, body);
        var (model, version) = GrpcClassifier.ReadFields(frame, 5, (int)length, modelField, versionField);
        return (model, version, null);
    }
}
