using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.LoadBalancing;
using Turbine.Gateway.Routing;
using Turbine.Gateway.Telemetry;
using Turbine.Gateway.Traffic;

namespace Turbine.Gateway.Proxy;

/// <summary>
/// The terminal step of the pipeline: the gateway's own answers (<c>/v2</c>, <c>/v2/health/*</c>, metrics), its admin
/// API (<c>/admin/...</c>), 404s, and everything else to <see cref="GatewayProxy"/>.
/// </summary>
internal sealed class GatewayEndpoints(GatewayProxy proxy, PoolRegistry pools, TrafficRouter router, GatewayMetrics metrics, Activation.GatewayActivation activation)
{
    private static readonly string Version = typeof(GatewayEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public Task HandleAsync(HttpContext context)
    {
        var info = context.Features.Get<GatewayRequestInfo>()!;
        var route = info.Route;
        switch (route.Kind)
        {
            case RouteKind.Model or RouteKind.ServerWide:
                return proxy.ForwardAsync(context, info);
            case RouteKind.Local:
                return LocalAsync(context);
            case RouteKind.Admin:
                return AdminAsync(context, info);
            default:
                metrics.Request("", "", "", info.Protocol, route.GrpcMethod is null ? StatusCodes.Status404NotFound : StatusCodes.Status200OK, 0);
                return GatewayErrors.WriteAsync(context, StatusCodes.Status404NotFound, GatewayErrors.GrpcUnimplemented,
                    route.GrpcMethod is null ? $"no endpoint for {context.Request.Method} {context.Request.Path}" : $"the gateway does not route the gRPC method {context.Request.Path}");
        }
    }

    private Task LocalAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!.TrimEnd('/');
        var set = pools.Current;
        if (path == set.Config.Metrics.Path && set.Config.Metrics.Enabled)
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            return context.Response.WriteAsync(metrics.Render(set, activation), context.RequestAborted);
        }

        return path switch
        {
            "/v2/health/live" => Json(context, StatusCodes.Status200OK, w => w.WriteBoolean("live", true)),
            "/v2/health/ready" => Ready(context, set.All.Any(p => p.HasAvailable())),
            "/v2" => Json(context, StatusCodes.Status200OK, w =>
            {
                w.WriteString("name", "turbine-gateway");
                w.WriteString("version", Version);
                w.WriteStartArray("extensions");
                w.WriteEndArray();
            }),
            _ => GatewayErrors.WriteAsync(context, StatusCodes.Status404NotFound, GatewayErrors.GrpcUnimplemented, $"no endpoint for {context.Request.Method} {context.Request.Path}"),
        };
    }

    private static Task Ready(HttpContext context, bool ready) =>
        Json(context, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, w => w.WriteBoolean("ready", ready));

    /// <summary>
    /// <c>POST /admin/models/{m}/switch</c> (body optional: <c>{"active":"green"}</c>) flips a blue-green model;
    /// <c>GET /admin/models/{m}</c> shows its route and active side; <c>GET /admin/pools</c> the replicas' state.
    /// </summary>
    private async Task AdminAsync(HttpContext context, GatewayRequestInfo info)
    {
        var parts = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var set = pools.Current;
        if (parts is ["admin", "pools"] && HttpMethods.IsGet(context.Request.Method))
        {
            await Json(context, StatusCodes.Status200OK, w =>
            {
                foreach (var pool in set.All)
                {
                    w.WriteStartArray(pool.Name);
                    foreach (var r in pool.Replicas)
                    {
                        w.WriteStartObject();
                        w.WriteString("http", r.Http.ToString());
                        w.WriteString("grpc", r.Grpc?.ToString());
                        w.WriteBoolean("healthy", r.Healthy);
                        w.WriteNumber("inFlight", r.Outstanding);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }
            }).ConfigureAwait(false);
            return;
        }

        if (parts.Length >= 3 && parts[1] == "models" && info.Model is { } model)
        {
            if (!set.Config.Models.TryGetValue(model, out var route))
            {
                await GatewayErrors.WriteAsync(context, StatusCodes.Status404NotFound, GatewayErrors.GrpcNotFound, $"model '{model}' has no route in the gateway config").ConfigureAwait(false);
                return;
            }

            if (parts.Length == 3 && HttpMethods.IsGet(context.Request.Method))
            {
                await Json(context, StatusCodes.Status200OK, w => WriteRoute(w, model, route)).ConfigureAwait(false);
                return;
            }

            if (parts.Length == 4 && parts[3] == "switch" && HttpMethods.IsPost(context.Request.Method))
            {
                await SwitchAsync(context, model, route).ConfigureAwait(false);
                return;
            }
        }

        await GatewayErrors.WriteAsync(context, StatusCodes.Status404NotFound, GatewayErrors.GrpcNotFound,
            $"no admin endpoint for {context.Request.Method} {context.Request.Path} (GET /admin/pools, GET /admin/models/{{m}}, POST /admin/models/{{m}}/switch)").ConfigureAwait(false);
    }

    private async Task SwitchAsync(HttpContext context, string model, ModelRouteConfig route)
    {
        if (route.BlueGreen is not { } bg)
        {
            await GatewayErrors.WriteAsync(context, StatusCodes.Status409Conflict, GatewayErrors.GrpcInvalidArgument, $"model '{model}' is not routed blue-green: nothing to switch").ConfigureAwait(false);
            return;
        }

        string? target = null;
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("the body must be a JSON object");
            }

            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name != "active")
                {
                    throw new JsonException($"unexpected field '{p.Name}' (expected \"active\": \"blue\" | \"green\")");
                }

                if (p.Value.ValueKind != JsonValueKind.String || p.Value.GetString() is not ("blue" or "green"))
                {
                    throw new JsonException($"\"active\" must be \"blue\" or \"green\", got {p.Value.GetRawText()}");
                }

                target = p.Value.GetString();
            }
        }
        catch (JsonException e) when (context.Request.ContentLength is not 0 && !e.Message.Contains("The input does not contain any JSON tokens", StringComparison.Ordinal))
        {
            await GatewayErrors.WriteAsync(context, StatusCodes.Status400BadRequest, GatewayErrors.GrpcInvalidArgument, $"switch body: {e.Message}").ConfigureAwait(false);
            return;
        }
        catch (JsonException)
        {
            // An empty body flips to the other side.
        }
        catch (InvalidOperationException)
        {
            await GatewayErrors.WriteAsync(context, StatusCodes.Status400BadRequest, GatewayErrors.GrpcInvalidArgument, "switch body: \"active\" must be the string \"blue\" or \"green\"").ConfigureAwait(false);
            return;
        }

        var active = router.BlueGreen.Switch(model, bg, target);
        await Json(context, StatusCodes.Status200OK, w =>
        {
            w.WriteString("model", model);
            w.WriteString("active", active);
            w.WriteString("pool", active == "green" ? bg.Green : bg.Blue);
        }).ConfigureAwait(false);
    }

    private void WriteRoute(Utf8JsonWriter w, string model, ModelRouteConfig route)
    {
        w.WriteString("model", model);
        w.WriteString("policy", route.Pool is not null ? "pool" : route.Split is not null ? "split" : route.AbTest is not null ? "abTest" : "blueGreen");
        if (route.BlueGreen is { } bg)
        {
            w.WriteString("active", router.BlueGreen.Active(model, bg));
        }

        w.WriteStartArray("pools");
        foreach (var (_, pool) in route.PoolReferences(""))
        {
            w.WriteStringValue(pool);
        }

        w.WriteEndArray();
    }

    private static async Task Json(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, GatewayErrors.WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
