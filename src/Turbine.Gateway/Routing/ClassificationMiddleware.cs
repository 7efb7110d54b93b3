using Microsoft.AspNetCore.Http;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Proxy;

namespace Turbine.Gateway.Routing;

/// <summary>
/// Sets <see cref="GatewayRequestInfo"/> (with its <see cref="GatewayRoute"/>) for every request: REST by method and path;
/// gRPC by method and the model field of the first message. Only the start of that message is read here (up to
/// <c>limits.maxClassificationBytes</c>, grown as bytes arrive, never sized from the frame header): enough to find
/// the model and version fields, which every protobuf encoder writes first. The bytes read are replayed, and the
/// body is wrapped in a <see cref="GrpcMessageGuard"/> that checks the rest of the first message (a later duplicate
/// model field is refused) and every later message of a stream as it passes.
/// </summary>
internal sealed class ClassificationMiddleware(RequestDelegate next, IGatewayConfigSource config, RequestBufferBudget budget)
{
    public Task InvokeAsync(HttpContext context)
    {
        var info = new GatewayRequestInfo();
        context.Features.Set(info);
        if (GatewayErrors.IsGrpc(context))
        {
            // The first message is usually in already: then its read completes at once and no frame is kept here.
            var classified = ClassifyGrpcAsync(context, info);
            return classified.IsCompletedSuccessfully
                ? (classified.Result ? next(context) : Task.CompletedTask)
                : ThenNextAsync(classified, context);
        }

        // REST: classified from the method and path alone, handed on without an async frame of our own.
        var (kind, operation, model, version, protocol) = RestClassifier.Classify(context.Request.Method, context.Request.Path.Value ?? "/", config.Current.Metrics.Path);
        info.Route.Kind = kind;
        info.Operation = operation;
        info.Model = model;
        info.Version = version;
        info.Protocol = protocol;
        return next(context);
    }

    private async Task ThenNextAsync(ValueTask<bool> classified, HttpContext context)
    {
        if (await classified.ConfigureAwait(false))
        {
            await next(context).ConfigureAwait(false);
        }
    }

    /// <summary>Classifies a gRPC call; false when it was answered here (an error), true to hand it on.</summary>
    private async ValueTask<bool> ClassifyGrpcAsync(HttpContext context, GatewayRequestInfo info)
    {
        info.Protocol = "grpc";
        GrpcBodyLimits.Lift(context); // before the first read of the body (see GrpcBodyLimits)
        var (kind, operation, modelField, versionField, streaming, method) = GrpcClassifier.ClassifyMethod(context.Request.Path.Value ?? "");
        info.Route.Kind = kind;
        info.Route.GrpcMethod = method;
        info.Route.Streaming = streaming;
        info.Operation = operation;
        if (modelField > 0)
        {
            var read = await ReadFirstFieldsAsync(context, modelField, versionField).ConfigureAwait(false);
            if (read.Error is not null)
            {
                await GatewayErrors.WriteAsync(context, read.Status, read.Status == StatusCodes.Status503ServiceUnavailable ? GatewayErrors.GrpcUnavailable : GatewayErrors.GrpcInvalidArgument, read.Error).ConfigureAwait(false);
                return false;
            }

            info.Model = string.IsNullOrEmpty(read.Model) ? null : read.Model;
            info.Version = string.IsNullOrEmpty(read.Version) ? null : read.Version;
            if (info.Model is null)
            {
                if (method != "ModelStatistics")
                {
                    await GatewayErrors.WriteAsync(context, StatusCodes.Status400BadRequest, GatewayErrors.GrpcInvalidArgument,
                        $"the {method} request names no model (field {modelField}): the gateway routes by it").ConfigureAwait(false);
                    return false;
                }

                // ModelStatistics without a name asks for every model: server-wide.
                info.Route.Kind = RouteKind.ServerWide;
            }
        }

        return true;
    }

    private async ValueTask<(string? Model, string? Version, int Status, string? Error)> ReadFirstFieldsAsync(HttpContext context, int modelField, int versionField)
    {
        var body = context.Request.Body;
        var max = config.Current.Limits.MaxClassificationBytes;
#pragma warning disable CA2000 // the lease belongs to the request: LeaseFor registers it with Response.RegisterForDispose
        var lease = budget.LeaseFor(context);
#pragma warning restore CA2000
        var scanner = new GrpcMessageScanner(modelField, versionField, GrpcMessageGuard.MaxNameBytes);
        // A pooled array the lease owns (returned when the response ends); only `capacity` bytes of it are used.
        var capacity = Math.Min(4096, max);
        if (!lease.TryGrow(capacity))
        {
            return (null, null, StatusCodes.Status503ServiceUnavailable, budget.Exhausted());
        }

        var buffer = lease.Grow(capacity, 0, classification: true);
        var length = 0;
        var done = false;
        while (!done)
        {
            if (length == capacity)
            {
                if (length >= max)
                {
                    return (null, null, StatusCodes.Status400BadRequest,
                        $"the first {max} bytes of the request message do not name the model (limits.maxClassificationBytes): write the model and version fields first");
                }

                var grown = Math.Min(max, capacity * 2);
                if (!lease.TryGrow(grown - capacity))
                {
                    return (null, null, StatusCodes.Status503ServiceUnavailable, budget.Exhausted());
                }

                buffer = lease.Grow(grown, length, classification: true);
                capacity = grown;
            }

            var n = await body.ReadAsync(buffer.AsMemory(length, capacity - length), context.RequestAborted).ConfigureAwait(false);
            if (n == 0)
            {
                context.Request.Body = new ReplayStream(buffer, length, body);
                return (null, null, StatusCodes.Status400BadRequest,
                    length == 0 ? "the call has no request message: the gateway routes by the model named in it" : "truncated gRPC message frame");
            }

            var offset = length;
            length += n;
            while (offset < length && !done)
            {
                var scan = scanner.Feed(buffer.AsSpan(offset, length - offset), out var used);
                offset += used;
                if (scan == ScanEvent.Error)
                {
                    return (null, null, StatusCodes.Status400BadRequest, scanner.Error);
                }

                done = scan == ScanEvent.Message || scanner.PastNameFields;
            }
        }

        var guard = new GrpcMessageGuard(new ReplayStream(buffer, length, body), modelField, versionField, scanner.Model, scanner.Version, context.Features.Get<GatewayRequestInfo>()!.Route.Streaming);
        context.Request.Body = guard;
        context.Features.Set(guard);
        return (scanner.Model, scanner.Version, StatusCodes.Status200OK, null);
    }
}
