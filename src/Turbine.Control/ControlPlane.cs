using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Turbine.Control.Reconciling;
using Turbine.Control.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Turbine.Control.Storage;
using Turbine.Control.Telemetry;
using Turbine.Control.Traffic;
using Turbine.Gateway;
using Turbine.Gateway.Configuration;

namespace Turbine.Control;

/// <summary>
/// What <c>turbine control serve</c> runs beside the control API: the public gateway (its own HTTP and gRPC ports),
/// the local process runtime, the revision resolver and the reconciler, wired together in one process.
/// </summary>
public sealed record ControlPlaneOptions
{
    /// <summary>The gateway's options (host and ports; the config comes from the controller, in memory).</summary>
    public GatewayOptions Gateway { get; init; } = new();

    /// <summary>The reconciler's settings.</summary>
    public ReconcilerOptions Reconciler { get; init; } = new();

    /// <summary>The runtime's settings; its work and registry-cache folders default to <c>replicas/</c> and <c>registry-cache/</c> of the data folder.</summary>
    public LocalRuntimeOptions? Runtime { get; init; }

    /// <summary>The resolver's settings; its cache folder defaults to <c>artifacts/</c> of the data folder.</summary>
    public ResolverOptions? Resolver { get; init; }

    /// <summary>
    /// A gateway the caller already runs (<c>turbine up</c>): the plane publishes its routes into that gateway's
    /// in-memory source beside the caller's own pools and routes, and neither starts nor stops it. Null (the default):
    /// the plane starts its own gateway from <see cref="Gateway"/>.
    /// </summary>
    public AttachedGateway? Attach { get; init; }
}

/// <summary>A running gateway and the in-memory config source it serves from, shared with a <see cref="ControlPlane"/>.</summary>
/// <param name="Host">The gateway (its activator and traffic counters).</param>
/// <param name="Source">The config source the gateway was started with.</param>
public sealed record AttachedGateway(GatewayHost Host, InMemoryGatewayConfigSource Source);

/// <summary>
/// Starts the gateway, then adopts running replicas and starts the reconciler; on stop, stops the reconciler (which
/// drains its replicas) and then the gateway. It is the <see cref="IDeploymentController"/> the control API uses.
/// </summary>
public sealed class ControlPlane : IHostedService, IDeploymentController, IAsyncDisposable
{
    private readonly ControlPlaneOptions _options;
    private readonly IControlStore _store;
    private readonly IMeterFactory _meters;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly string _dataDirectory;
    private GatewayHost? _gateway;
    private GatewayTrafficPlane? _traffic;
    private LocalProcessRuntime? _runtime;
    private RevisionResolver? _resolver;
    private Reconciler? _reconciler;
    private readonly StopOnce _stop = new();

    /// <summary>Creates the plane; nothing starts before <see cref="StartAsync"/>.</summary>
    /// <param name="options">The plane's settings.</param>
    /// <param name="store">The control store.</param>
    /// <param name="dataDirectory">The control service's data folder.</param>
    /// <param name="meters">Publishes the controller's metrics.</param>
    /// <param name="loggers">Logging.</param>
    /// <param name="time">The clock.</param>
    public ControlPlane(ControlPlaneOptions options, IControlStore store, string dataDirectory, IMeterFactory meters, ILoggerFactory loggers, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _store = store;
        _dataDirectory = Path.GetFullPath(dataDirectory);
        _meters = meters;
        _loggers = loggers;
        _time = time;
    }

    /// <summary>The public gateway, once started.</summary>
    public GatewayHost? Gateway => _gateway;

    /// <summary>The local runtime, once started (the dashboard reads replica logs and cold starts from it).</summary>
    internal LocalProcessRuntime? Runtime => _runtime;

    /// <summary>The traffic plane, once started (the dashboard reads per-revision traffic and model names from it).</summary>
    internal GatewayTrafficPlane? TrafficPlane => _traffic;

    /// <summary>The reconciler, once started.</summary>
    public Reconciler? Reconciler => _reconciler;

    /// <summary>Registers the plane as a hosted service and as the control API's <see cref="IDeploymentController"/>.</summary>
    /// <param name="services">The control host's services.</param>
    /// <param name="options">The plane's settings.</param>
    /// <param name="dataDirectory">The control service's data folder.</param>
    public static void Register(IServiceCollection services, ControlPlaneOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ControlPlane(options, sp.GetRequiredService<IControlStore>(), dataDirectory,
            sp.GetRequiredService<IMeterFactory>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IDeploymentController>(sp => sp.GetRequiredService<ControlPlane>());
        services.TryAddSingleton<ControlMetricsExporter>();
        services.AddHostedService(sp => sp.GetRequiredService<ControlPlane>());
    }

    /// <summary>
    /// Maps <c>GET /metrics</c>: the controller's Prometheus metrics (autoscaler gauges per deployment, cold starts per
    /// phase). Outside <c>/api</c>, so not behind the API tokens, like the server's and the registry's metrics.
    /// </summary>
    /// <param name="app">The control host.</param>
    public static void MapMetrics(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var exporter = app.Services.GetRequiredService<ControlMetricsExporter>();
        app.MapGet("/metrics", (HttpContext context) =>
        {
            context.Response.ContentType = Turbine.Protocol.Telemetry.PrometheusText.ContentType;
            return context.Response.WriteAsync(exporter.Render(), context.RequestAborted);
        }).ExcludeFromDescription();
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        InMemoryGatewayConfigSource source;
        if (_options.Attach is { } attached)
        {
            source = attached.Source;
            _gateway = attached.Host;
        }
        else
        {
            source = new InMemoryGatewayConfigSource(new GatewayConfig { AccessLog = new AccessLogConfig { Enabled = false } }, "control plane");
            _gateway = await GatewayHost.StartAsync(_options.Gateway, services => services.AddSingleton<IGatewayConfigSource>(source), cancellationToken).ConfigureAwait(false);
        }

        _traffic = new GatewayTrafficPlane(source, _gateway.Activation, _gateway.Traffic);
        // Folders the caller did not choose live in the data folder.
        var runtime = _options.Runtime ?? new LocalRuntimeOptions { WorkDirectory = Path.Combine(_dataDirectory, "replicas") };
        _runtime = new LocalProcessRuntime(runtime with { RegistryCacheDirectory = runtime.RegistryCacheDirectory ?? Path.Combine(_dataDirectory, "registry-cache") }, _time, _meters);
        _resolver = new RevisionResolver(_options.Resolver ?? new ResolverOptions { CacheDirectory = Path.Combine(_dataDirectory, "artifacts") }, _time);
        _reconciler = new Reconciler(_store, _runtime, _resolver, _traffic, _options.Reconciler, _time, _loggers.CreateLogger<Reconciler>(), _meters);
        await _reconciler.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    /// <summary>
    /// Stops the reconciler (draining replicas when configured), then the gateway unless it was attached. Always finishes
    /// (every wait is bounded). Runs once: the host's stop and the container's dispose both call it, and the second
    /// caller waits for the first one's drain instead of returning while replicas still run.
    /// </summary>
    public ValueTask DisposeAsync() => new(_stop.RunAsync(StopCoreAsync));

    private async Task StopCoreAsync()
    {
        if (_reconciler is not null)
        {
            await _reconciler.DisposeAsync().ConfigureAwait(false);
        }

        _traffic?.Dispose();
        if (_gateway is not null && _options.Attach is null)
        {
            await _gateway.DisposeAsync().ConfigureAwait(false);
        }

        if (_runtime is not null)
        {
            await _runtime.DisposeAsync().ConfigureAwait(false);
        }

        _resolver?.Dispose();
    }

    /// <inheritdoc />
    public DeploymentStatus? GetStatus(string name) => _reconciler?.GetStatus(name);

    /// <inheritdoc />
    public void Trigger(string name) => _reconciler?.Trigger(name);

    /// <inheritdoc />
    public Task<ControlResult<DeploymentStatus>> PromoteAsync(string name, CancellationToken cancellationToken) =>
        _reconciler?.PromoteAsync(name, cancellationToken) ?? NotStarted();

    /// <inheritdoc />
    public Task<ControlResult<DeploymentStatus>> RollbackAsync(string name, CancellationToken cancellationToken) =>
        _reconciler?.RollbackAsync(name, cancellationToken) ?? NotStarted();

    /// <inheritdoc />
    public Task<ControlResult<DeploymentStatus>> SetPausedAsync(string name, bool paused, CancellationToken cancellationToken) =>
        _reconciler?.SetPausedAsync(name, paused, cancellationToken) ?? NotStarted();

    private static Task<ControlResult<DeploymentStatus>> NotStarted() =>
        Task.FromResult(ControlResult<DeploymentStatus>.Fail(ControlErrorKind.Unavailable, "the controller is starting; try again"));
}
