using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.LoadBalancing;
using Turbine.Gateway.Proxy;
using Turbine.Gateway.Routing;
using Turbine.Hosting;

namespace Turbine.Gateway;

/// <summary>
/// The gateway process: Kestrel with REST (HTTP/1.1) on one port and gRPC (cleartext HTTP/2) on another, the
/// middleware pipeline (classification → [edge: auth, rate limits, transforms] → traffic policy → pool →
/// balancing → YARP forwarder), the config source (by default the YAML file, watched for hot reloads; see
/// <see cref="GatewayServiceCollectionExtensions.AddTurbineGateway"/>), active health checks and shadow workers.
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

    /// <summary>The activator: requests held for pools without replicas, and the event a controller hears to start one.</summary>
    public Activation.GatewayActivation Activation => _app.Services.GetRequiredService<Activation.GatewayActivation>();

    /// <summary>Per-pool traffic counters and in-flight counts per replica.</summary>
    public Telemetry.GatewayTrafficStats Traffic => _app.Services.GetRequiredService<Telemetry.GatewayTrafficStats>();

    /// <summary>Loads the config (throws <see cref="GatewayConfigException"/> when it is bad), binds the ports, starts.</summary>
    /// <exception cref="ArgumentException">The options break a rule of <see cref="GatewayOptionsValidator"/>.</exception>
    public static Task<GatewayHost> StartAsync(GatewayOptions options, CancellationToken cancellationToken = default) =>
        StartAsync(options, _ => { }, cancellationToken);

    /// <summary>
    /// Starts the gateway with services the caller registers first (they win over the defaults of
    /// <see cref="GatewayServiceCollectionExtensions.AddTurbineGateway"/>): for example an
    /// <see cref="InMemoryGatewayConfigSource"/> instead of the config file.
    /// </summary>
    public static async Task<GatewayHost> StartAsync(GatewayOptions options, Action<IServiceCollection> configureServices, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configureServices);
        if (GatewayOptionsValidator.Problems(options) is [_, ..] problems)
        {
            throw new ArgumentException("invalid gateway options: " + string.Join("; ", problems), nameof(options));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        ConfigureLogging(builder.Logging, options.ConfigureLogging);
        configureServices(builder.Services);
        builder.Services.AddTurbineGateway(options);

        var address = HostOptionRules.Address(options.Host);
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
        IGatewayConfigSource source;
        try
        {
            // The first load of the config: a bad file throws here, before any port opens.
            source = app.Services.GetRequiredService<IGatewayConfigSource>();
            if (source is InMemoryGatewayConfigSource memory)
            {
                memory.Logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine.Gateway.Config");
            }

            // The documented order (GatewayEdgeExtensions): access log outermost, then classification, auth,
            // rate limits, transforms, and last the traffic policy and forwarding.
            app.UseGatewayAccessLog();
            app.UseMiddleware<ClassificationMiddleware>();
            app.UseGatewayAuthentication();
            app.UseGatewayRateLimiting();
            app.UseGatewayTransforms();
            var endpoints = app.Services.GetRequiredService<GatewayEndpoints>();
            app.Run(endpoints.HandleAsync);
            if (source is FileGatewayConfigSource file)
            {
                app.Lifetime.ApplicationStopped.Register(file.Dispose);
            }

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            await app.Services.GetRequiredService<HealthChecker>().CheckAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var host = Display(address);
        var http = new Uri($"http://{host}:{httpListen!.IPEndPoint!.Port}/");
        var grpc = new Uri($"http://{host}:{grpcListen!.IPEndPoint!.Port}/");
        var config = source.Current;
        GatewayLog.Ready(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine.Gateway"), http.ToString(), grpc.ToString(), Describe(source), config.Pools.Count, config.Models.Count);
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

    private static string Describe(IGatewayConfigSource source) => source switch
    {
        FileGatewayConfigSource file => file.Path,
        InMemoryGatewayConfigSource memory => memory.Name,
        _ => source.GetType().Name,
    };

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
    }
}
