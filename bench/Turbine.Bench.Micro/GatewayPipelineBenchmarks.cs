using System.Net.Http;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Gateway;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Proxy;
using Turbine.Gateway.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Turbine.Bench.Micro;

/// <summary>
/// The gateway's whole per-request pipeline in the configuration (issue 22, item 1: API-key auth, a per-key
/// rate limit, a two-replica pool with power-of-two-choices, access log off), as the host builds it: access log →
/// classification → authentication → rate limit → transforms → endpoints → traffic policy, pool, pick, retry
/// bookkeeping, metrics. Only YARP's forwarding is stood in for: a forwarder that yields once (so every async frame
/// above it is kept on the heap, as when a real replica answers later) and answers 200. The HTTP context is one
/// reused <see cref="DefaultHttpContext"/> (Kestrel reuses its own per connection), so what is measured is the
/// gateway's own objects per request, not the server's or YARP's.
/// </summary>
[MemoryDiagnoser]
public class GatewayPipelineBenchmarks
{
    private const string Key = "bench-key-0123456789abcdef";
    private static readonly byte[] Body = new byte[160]; // about the size of `simple`'s binary REST request

    private ServiceProvider _services = null!;
    private RequestDelegate _pipeline = null!;
    private DefaultHttpContext _context = null!;
    private DefaultHttpContext _grpcContext = null!;
    private readonly MemoryStream _body = new(Body, writable: false);
    private MemoryStream _grpcBody = null!;

    [GlobalSetup]
    public void Setup()
    {
        var config = new GatewayConfig
        {
            Pools =
            {
                ["main"] = new PoolConfig
                {
                    Replicas = [new ReplicaConfig { Http = "http://127.0.0.1:1", Grpc = "http://127.0.0.1:2" }, new ReplicaConfig { Http = "http://127.0.0.1:3", Grpc = "http://127.0.0.1:4" }],
                },
            },
            Models = { ["*"] = new ModelRouteConfig { Pool = "main" } },
            Auth = new AuthConfig { ApiKeys = [new ApiKeyConfig { Id = "bench", Hash = ApiKeyHasher.Hash(Key), Operations = ["server", "metadata", "infer"] }] },
            RateLimits = new RateLimitConfig { PerKey = new RateLimitRule { Requests = int.MaxValue / 2, PeriodSeconds = 1 } },
            AccessLog = new AccessLogConfig { Enabled = false },
        };
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton<IGatewayConfigSource>(new InMemoryGatewayConfigSource(config));
        services.AddTurbineGateway(new GatewayOptions());
        services.AddSingleton<IHttpForwarder>(new AnsweringForwarder());
        _services = services.BuildServiceProvider();

        var app = new ApplicationBuilder(_services);
        app.UseGatewayAccessLog();
        app.UseMiddleware<ClassificationMiddleware>();
        app.UseGatewayAuthentication();
        app.UseGatewayRateLimiting();
        app.UseGatewayTransforms();
        var endpoints = _services.GetRequiredService<GatewayEndpoints>();
        app.Run(endpoints.HandleAsync);
        _pipeline = app.Build();

        _context = new DefaultHttpContext { RequestServices = _services };
        _context.Request.Method = "POST";
        _context.Request.Scheme = "http";
        _context.Request.Host = new HostString("127.0.0.1:8000");
        _context.Request.Path = "/v2/models/simple/infer";
        _context.Request.ContentType = "application/octet-stream";
        _context.Request.ContentLength = Body.Length;
        _context.Request.Headers.Authorization = "Bearer " + Key;
        _context.Request.Headers["Inference-Header-Content-Length"] = "120";
        _context.Response.Body = Stream.Null;

        // gRPC ModelInfer: one framed message naming model 'simple' (field 1) with some tensor bytes after it.
        var message = new List<byte> { 0x0a, 6 };
        message.AddRange("simple"u8.ToArray());
        message.AddRange([0x2a, 120]);
        message.AddRange(new byte[120]);
        var frame = new byte[5 + message.Count];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Count);
        message.CopyTo(frame, 5);
        _grpcBody = new MemoryStream(frame, writable: false);
        _grpcContext = new DefaultHttpContext { RequestServices = _services };
        _grpcContext.Request.Method = "POST";
        _grpcContext.Request.Scheme = "http";
        _grpcContext.Request.Protocol = "HTTP/2";
        _grpcContext.Request.Host = new HostString("127.0.0.1:8001");
        _grpcContext.Request.Path = "/inference.GRPCInferenceService/ModelInfer";
        _grpcContext.Request.ContentType = "application/grpc";
        _grpcContext.Request.Headers["x-api-key"] = Key;
        _grpcContext.Response.Body = Stream.Null;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _body.Dispose();
        _grpcBody.Dispose();
        _services.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// REST binary infer through the configuration: the gateway's own objects (request info, attempt, the kept
    /// body's lease and its stream, ForwardAsync's state machine box) plus this method's and the stand-in forwarder's
    /// async boxes (~230 B). Measured 849 B (docs/benchmarks.md, "Gateway round 3"; 2.39 KB before that round).
    /// </summary>
    [Benchmark]
    [AllocationBudget(880)]
    public async Task<int> FullPipelineRest()
    {
        var context = _context;
        // What Kestrel does between two requests on a connection: the request's disposables run, the body is new.
        if (context.Features.Get<BufferLease>() is { } lease)
        {
            lease.Dispose();
            context.Features.Set<BufferLease>(null);
        }

        _body.Position = 0;
        context.Request.Body = _body;
        context.Response.StatusCode = StatusCodes.Status200OK;
        await _pipeline(context).ConfigureAwait(false);
        return context.Response.StatusCode == StatusCodes.Status200OK ? 0 : throw new InvalidOperationException($"the pipeline answered {context.Response.StatusCode}");
    }

    /// <summary>
    /// gRPC unary ModelInfer through the configuration: classification reads the start of the message (the
    /// model field), the guard follows the rest, then the same path as REST. Harness and stand-in forwarder ~230 B.
    /// </summary>
    [Benchmark]
    [AllocationBudget(GrpcBudget)]
    public async Task<int> FullPipelineGrpc()
    {
        var context = _grpcContext;
        if (context.Features.Get<BufferLease>() is { } lease)
        {
            lease.Dispose();
            context.Features.Set<BufferLease>(null);
        }

        context.Features.Set<GrpcMessageGuard>(null);
        _grpcBody.Position = 0;
        context.Request.Body = _grpcBody;
        context.Response.StatusCode = StatusCodes.Status200OK;
        await _pipeline(context).ConfigureAwait(false);
        return context.Response.StatusCode == StatusCodes.Status200OK && context.Features.Get<GrpcMessageGuard>()?.Refusal is null
            ? 0
            : throw new InvalidOperationException($"the pipeline answered {context.Response.StatusCode}");
    }

    private const int GrpcBudget = 1248; // measured 1,216 B (docs/benchmarks.md, "Gateway round 3")

    /// <summary>Stands in for YARP: answers 200 after one yield (what the floor's forwarding costs is not the gateway's).</summary>
    private sealed class AnsweringForwarder : IHttpForwarder
    {
        public async ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer)
        {
            await Task.Yield();
            context.Response.StatusCode = StatusCodes.Status200OK;
            return ForwarderError.None;
        }

        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken) =>
            SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer);
    }
}
