using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Turbine.Hosting;
using OpenTelemetry.Trace;
using Turbine.Core;
using Turbine.Core.Backends;
using Turbine.Core.Lifecycle;
using Turbine.Core.Payloads;
using Turbine.Core.Sources;
using Turbine.Server.Grpc;
using Turbine.Server.Http;
using Turbine.Server.Logging;
using Turbine.Server.Registry;
using Turbine.Server.Security;
using Turbine.Server.Telemetry;

namespace Turbine.Server;

/// <summary>
/// The inference server process: the engine plus its front ends on Kestrel (REST on the HTTP port, gRPC on the
/// gRPC port, Prometheus <c>GET /metrics</c> on the metrics port). Start checks that the ports are free, loads the
/// models, then opens the ports; stop turns readiness off, lets in-flight requests
/// finish, then unloads.
/// </summary>
public sealed class TurbineServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HealthServiceImpl _health;
    private int _stopped;

    private TurbineServer(WebApplication app, InferenceEngine engine, HealthServiceImpl health, Uri httpAddress, Uri grpcAddress, Uri metricsAddress)
    {
        MetricsAddress = metricsAddress;
        _app = app;
        _health = health;
        Engine = engine;
        HttpAddress = httpAddress;
        GrpcAddress = grpcAddress;
    }

    public InferenceEngine Engine { get; }

    /// <summary>The bound HTTP address (the real port when 0 was asked for).</summary>
    public Uri HttpAddress { get; }

    /// <summary>The bound gRPC address (http:// for cleartext HTTP/2, https:// with TLS).</summary>
    public Uri GrpcAddress { get; }

    /// <summary>The bound metrics address; <c>GET /metrics</c> there answers in Prometheus text format.</summary>
    public Uri MetricsAddress { get; }

    public IHostApplicationLifetime Lifetime => _app.Lifetime;

    internal IServiceProvider Services => _app.Services;

    /// <param name="options">The server's settings.</param>
    /// <param name="configureLogging">Replaces the console logging (tests).</param>
    /// <param name="backends">The backends; default ONNX Runtime.</param>
    /// <param name="configureTracing">Adds to the tracing set-up (an exporter a test attaches).</param>
    /// <param name="configureServices">
    /// Adds services before the server's own are added with <c>TryAdd</c>: an <see cref="IModelSource"/> registered here
    /// is where the engine gets its models instead of the folder repository or the registry.
    /// </param>
    /// <param name="cancellationToken">Abandons the start.</param>
    public static async Task<TurbineServer> StartAsync(
        ServerOptions options,
        Action<ILoggingBuilder>? configureLogging = null,
        IReadOnlyList<IBackend>? backends = null,
        Action<TracerProviderBuilder>? configureTracing = null,
        Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException("invalid server options: " + string.Join("; ", problems), nameof(options));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        var logSettings = new LogSettings(options.LogFormat);
        ConfigureLogging(builder.Logging, configureLogging, logSettings);
        builder.Services.AddSingleton(logSettings);
        configureServices?.Invoke(builder.Services);
        foreach (var backend in backends ?? [])
        {
            builder.Services.AddSingleton(backend);
        }

        builder.Services.AddTurbineServer(options, configureTracing);
        var address = HostOptionRules.Address(options.Host);

        // Before any model loads: a busy port fails now, in one line naming its flag.
        PortProbe.EnsureFree(address, [
            (options.HttpPort, "HTTP", "--http-port"),
            (options.GrpcPort, "gRPC", "--grpc-port"),
            (options.MetricsPort, "metrics", "--metrics-port"),
        ]);

        ListenOptions? httpListen = null;
        ListenOptions? grpcListen = null;
        ListenOptions? metricsListen = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null; // enforced by each front end with a protocol error
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
                if (options.GrpcTlsCertificatePath is not null)
                {
                    l.UseHttps(X509Certificate2.CreateFromPemFile(options.GrpcTlsCertificatePath, options.GrpcTlsKeyPath));
                }

                grpcListen = l;
            });
            k.Listen(address, options.MetricsPort, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                metricsListen = l;
            });
        });

        var app = builder.Build();
        var health = app.Services.GetRequiredService<HealthServiceImpl>();
        var traceSettings = app.Services.GetRequiredService<TraceSettings>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine");
        InferenceEngine engine;
        try
        {
            // Inside the try: creating the model source (a registry's references are checked) may fail.
            engine = app.Services.GetRequiredService<InferenceEngine>();
            await engine.StartAsync(cancellationToken).ConfigureAwait(false);
            // Registry references are not --exit-on-error's start-up models: the registry source keeps retrying them.
            if (options.ExitOnError && options.Registry is null && engine.GetNotReadyModels() is [_, ..] failed)
            {
                throw new StartupModelsFailedException(failed);
            }

            var metricsEndpoint = app.Services.GetRequiredService<MetricsEndpoint>();
            var lastResort = new LastResortErrors(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine.Http"));
            app.Use(lastResort.InvokeAsync);
            var bodyBudget = app.Services.GetRequiredService<RequestBodyBudget>();
            app.Use(async (ctx, next) =>
            {
                if (ctx.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
                {
                    await next(ctx).ConfigureAwait(false);
                    return;
                }

                var reader = BudgetedBodyReader.Install(ctx, bodyBudget);
                try
                {
                    await next(ctx).ConfigureAwait(false);
                }
                finally
                {
                    reader.ReleaseAll();
                }
            });

            // The metrics port serves GET /metrics and nothing else; the other ports never serve /metrics.
            app.Use((ctx, next) =>
            {
                if (ctx.Connection.LocalPort != metricsListen!.IPEndPoint!.Port)
                {
                    return next(ctx);
                }

                return ctx.Request.Path == "/metrics" && (HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method))
                    ? metricsEndpoint.HandleAsync(ctx)
                    : HttpErrors.WriteAsync(ctx, StatusCodes.Status404NotFound, $"the metrics port serves only GET /metrics, not {ctx.Request.Method} {ctx.Request.Path}");
            });
            // POST .../infer is matched by hand (no route values, no endpoint machinery per request); then routing.
            HttpEndpoints.UseInferRoute(app, engine, options);
            app.UseRouting();
            // Management endpoints (ManagementOperationAttribute) run only when the authorizer allows the caller.
            var authorizer = app.Services.GetRequiredService<ManagementAuthorizer>();
            app.Use((ctx, next) => ManagementAuthMiddleware.InvokeAsync(ctx, () => next(ctx), authorizer));
            HttpEndpoints.Map(app, engine, options);
            SharedMemoryEndpoints.Map(app, engine.SharedMemory);
            if (options.Monitoring is { } monitoring)
            {
                Turbine.Monitoring.Http.MonitoringEndpoints.MapTurbineMonitoring(app, monitoring);
            }

            Turbine.Monitoring.Http.ExplainEndpoint.MapTurbineExplain(app, engine, options.Monitoring);
            app.MapGet("/v2/logging", ctx => LoggingEndpoint.GetAsync(ctx, logSettings)).WithMetadata(ManagementOperationAttribute.Instance);
            app.MapPost("/v2/logging", ctx => LoggingEndpoint.PostAsync(ctx, logSettings)).WithMetadata(ManagementOperationAttribute.Instance);
            foreach (var tracePath in new[] { "/v2/trace/setting", "/v2/models/{model}/trace/setting" })
            {
                app.MapGet(tracePath, ctx => TraceSettingsEndpoint.HandleAsync(ctx, engine, traceSettings, post: false)).WithMetadata(ManagementOperationAttribute.Instance);
                app.MapPost(tracePath, ctx => TraceSettingsEndpoint.HandleAsync(ctx, engine, traceSettings, post: true)).WithMetadata(ManagementOperationAttribute.Instance);
            }

            OpenApiDocument.Map(app);
            app.MapGrpcService<InferenceGrpcService>().Add(InferenceGrpcService.PreferWireMethods);
            app.MapGrpcService<HealthServiceImpl>();
            app.MapFallback(ctx => HttpErrors.WriteAsync(ctx, StatusCodes.Status404NotFound,
                $"no endpoint for {ctx.Request.Method} {ctx.Request.Path}"));
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // Following the model source's changes (the folder poll, a registry's polling) begins once the server serves.
        engine.StartWatching();

        SetHealth(health, HealthCheckResponse.Types.ServingStatus.Serving);
        var httpUri = new Uri($"http://{Display(address)}:{httpListen!.IPEndPoint!.Port}/");
        var grpcUri = new Uri($"{(options.GrpcTlsCertificatePath is null ? "http" : "https")}://{Display(address)}:{grpcListen!.IPEndPoint!.Port}/");
        var metricsUri = new Uri($"http://{Display(address)}:{metricsListen!.IPEndPoint!.Port}/metrics");
        var notReady = engine.GetNotReadyModels();
        if (options.Engine.StrictReadiness && notReady.Count > 0)
        {
            // Never the ready line while /v2/health/ready says not ready: scripts wait for that line.
            ServerLog.NotReady(logger, StartupModelsFailedException.Describe(notReady), httpUri.ToString(), grpcUri.ToString(), metricsUri.ToString());
        }
        else
        {
            if (notReady.Count > 0)
            {
                ServerLog.ReadyDespiteFailures(logger, StartupModelsFailedException.Describe(notReady));
            }

            ServerLog.Ready(logger, httpUri.ToString(), grpcUri.ToString(), engine.GetServingVersions().Count, metricsUri.ToString());
        }

        return new TurbineServer(app, engine, health, httpUri, grpcUri, metricsUri);
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl+C or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Readiness off, drain in-flight requests (bounded by the shutdown timeout), unload models.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        SetHealth(_health, HealthCheckResponse.Types.ServingStatus.NotServing);
        await Engine.StopAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await Engine.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static void SetHealth(HealthServiceImpl health, HealthCheckResponse.Types.ServingStatus status) => ServerStopping.SetHealth(health, status);

    private static string Display(IPAddress address) =>
        address.Equals(IPAddress.Any) ? "127.0.0.1"
        : address.Equals(IPAddress.IPv6Any) ? "[::1]"
        : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]"
        : address.ToString();

    /// <summary>
    /// Console logging in the chosen format with the trace and span ids in each message's scope (request logs written
    /// under a span carry them), behind the run-time level switch of <c>/v2/logging</c>.
    /// </summary>
    private static void ConfigureLogging(ILoggingBuilder logging, Action<ILoggingBuilder>? configure, LogSettings settings)
    {
        logging.ClearProviders();
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);

        // Every rule without a category consults the switch on each IsEnabled, so a POST /v2/logging applies at once.
        logging.AddFilter((_, _, level) => settings.IsEnabled(level));
        if (configure is not null)
        {
            configure(logging);
            return;
        }

        if (settings.Format == LogFormat.Json)
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                o.IncludeScopes = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
                o.IncludeScopes = true;
            });
        }

        // Verbose levels map to Debug (1) and Trace (2+); the switch decides, so the floor is Trace.
        logging.SetMinimumLevel(LogLevel.Trace);
        logging.AddFilter("Microsoft", level => level >= LogLevel.Warning && settings.IsEnabled(level));
        // Kestrel logs a bind failure as a critical message with its stack trace before throwing it; the exception
        // itself reaches the caller (the CLI prints it as one line).
        logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", level => level is >= LogLevel.Warning and < LogLevel.Critical && settings.IsEnabled(level));
        logging.AddFilter("Grpc", level => level >= LogLevel.Warning && settings.IsEnabled(level));

        // While this category is enabled at any level, ASP.NET Core's hosting layer starts an Activity and a log
        // scope for every request (about 0.5 KB of allocation per request, docs/benchmarks.md P7); it only logs
        // request start/finish at Information, which the filter above already hides.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
    }
}
