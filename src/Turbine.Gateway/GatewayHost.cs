using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.LoadBalancing;
using Turbine.Gateway.Proxy;
using Turbine.Gateway.Routing;
using Turbine.Gateway.Telemetry;
using Turbine.Gateway.Traffic;

namespace Turbine.Gateway;

/// <summary>
/// The gateway process: Kestrel with REST (HTTP/1.1) on one port and gRPC (cleartext HTTP/2) on another, the
/// middleware pipeline (classification → [edge: auth, rate limits, transforms] → traffic policy → pool →
/// balancing → YARP forwarder), the config file watched for hot reloads, active health checks and shadow workers.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private GatewayHost(WebApplication app, Uri http, Uri grpc)
    {
        _app = app;
        HttpAddress = http;
        GrpcAddress = grpc;
    }

    public Uri HttpAddress { get; }

    public Uri GrpcAddress { get; }

    internal IServiceProvider Services => _app.Services;

    /// <summary>Loads the config (throws <see cref="GatewayConfigException"/> when it is bad), binds the ports, starts.</summary>
    public static async Task<GatewayHost> StartAsync(GatewayOptions options, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        ConfigureLogging(builder.Logging, options.ConfigureLogging);
        var time = options.TimeProvider ?? TimeProvider.System;
        var seed = options.RandomSeed;
        var seeds = seed is { } s ? new Random(s) : null;
        Func<Random> randomFactory = () => seeds is null ? new Random() : new Random(seeds.Next());

        using var bootLoggerFactory = LoggerFactory.Create(l => ConfigureLogging(l, options.ConfigureLogging));
#pragma warning disable CA2000 // disposed when the app stops (ApplicationStopped) or in the catch below when it fails to start
        var source = FileGatewayConfigSource.Open(options.ConfigPath, bootLoggerFactory.CreateLogger("Turbine.Gateway"), time, options.ConfigPollInterval);
#pragma warning restore CA2000
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.TryAddSingleton(time);
        builder.Services.AddSingleton<IGatewayConfigSource>(sp => new LoggingConfigSource(source, sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton(sp => new PoolRegistry(sp.GetRequiredService<IGatewayConfigSource>(), randomFactory, time));
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddSingleton<BlueGreenState>();
        builder.Services.AddSingleton(sp => new TrafficRouter(randomFactory(), sp.GetRequiredService<BlueGreenState>()));
        builder.Services.AddSingleton<ShadowMirror>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ShadowMirror>());
        builder.Services.AddSingleton<HealthChecker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthChecker>());
        builder.Services.AddSingleton<IModelMetadataSource, ModelMetadataSource>();
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<GatewayProxy>();
        builder.Services.AddSingleton<GatewayEndpoints>();
        builder.Services.AddGatewayEdge();

        var address = options.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Host);
        ListenOptions? httpListen = null;
        ListenOptions? grpcListen = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.Http2.MaxStreamsPerConnection = 1024;
            k.Listen(address, options.HttpPort, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                httpListen = l;
            });
            k.Listen(address, options.GrpcPort, l =>
            {
                l.Protocols = HttpProtocols.Http2;
                grpcListen = l;
            });
        });

        var app = builder.Build();
        try
        {
            // The documented order (GatewayEdgeExtensions): access log outermost, then classification, auth,
            // rate limits, transforms, and last the traffic policy and forwarding.
            app.UseGatewayAccessLog();
            app.UseMiddleware<ClassificationMiddleware>();
            app.UseGatewayAuthentication();
            app.UseGatewayRateLimiting();
            app.UseGatewayTransforms();
            var endpoints = app.Services.GetRequiredService<GatewayEndpoints>();
            app.Run(endpoints.HandleAsync);
            app.Lifetime.ApplicationStopped.Register(source.Dispose);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            await app.Services.GetRequiredService<HealthChecker>().CheckAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            source.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var host = Display(address);
        var http = new Uri($"http://{host}:{httpListen!.IPEndPoint!.Port}/");
        var grpc = new Uri($"http://{host}:{grpcListen!.IPEndPoint!.Port}/");
        var config = source.Current;
        GatewayLog.Ready(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine.Gateway"), http.ToString(), grpc.ToString(), options.ConfigPath, config.Pools.Count, config.Models.Count);
        return new GatewayHost(app, http, grpc);
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl+C or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops accepting, lets in-flight requests finish (bounded by the shutdown timeout).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static string Display(IPAddress address) =>
        address.Equals(IPAddress.Any) ? "127.0.0.1"
        : address.Equals(IPAddress.IPv6Any) ? "[::1]"
        : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]"
        : address.ToString();

    private static void ConfigureLogging(ILoggingBuilder logging, Action<ILoggingBuilder>? configure)
    {
        logging.ClearProviders();
        if (configure is not null)
        {
            configure(logging);
            return;
        }

        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Yarp", LogLevel.Warning);
        logging.AddFilter("Polly", LogLevel.Warning);
    }

    /// <summary>The file source, its reload messages logged through the host's logger factory.</summary>
    private sealed class LoggingConfigSource : IGatewayConfigSource
    {
        private readonly FileGatewayConfigSource _inner;

        public LoggingConfigSource(FileGatewayConfigSource inner, ILoggerFactory loggers)
        {
            _inner = inner;
            inner.Logger = loggers.CreateLogger("Turbine.Gateway.Config");
        }

        public GatewayConfig Current => _inner.Current;

        public event Action<GatewayConfig>? Changed
        {
            add => _inner.Changed += value;
            remove => _inner.Changed -= value;
        }
    }
}
