using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Turbine.Control.Api;
using Turbine.Control.Reconciling;
using Turbine.Control.Storage;
using Turbine.Hosting;

namespace Turbine.Control;

/// <summary>
/// The control service (<c>turbine control serve</c>): the REST API of docs/control.md on Kestrel over the control
/// store, driving whatever <see cref="IDeploymentController"/> the host registers. The seam for the integrator is
/// <see cref="StartAsync"/>'s <c>configureServices</c> (register the reconciler, runtime and gateway plumbing) and
/// <c>configureApp</c> (map more endpoints); dispose to stop.
/// </summary>
public sealed class ControlHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StopOnce _stop = new();

    private ControlHost(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
        ShutdownRequested = app.Lifetime.ApplicationStopping;
    }

    /// <summary>The bound base address, e.g. <c>http://127.0.0.1:8090/</c> (the real port when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>The host's services (the store, the controller, what <c>configureServices</c> added).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Validates <paramref name="options"/>, composes the services, binds the port and starts serving.</summary>
    /// <param name="options">The control service's options.</param>
    /// <param name="configureServices">Adds the reconciler (an <see cref="IDeploymentController"/>) and its parts; without one a stand-in stores specs and runs nothing.</param>
    /// <param name="configureApp">Maps more endpoints or middleware before the API (null for none).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public static async Task<ControlHost> StartAsync(
        ControlOptions options,
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configureApp = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ControlOptionsValidator.Problems(options) is [_, ..] problems)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        var address = HostOptionRules.Address(options.Host);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        options.ConfigureLogging?.Invoke(builder.Logging);
        configureServices?.Invoke(builder.Services);
        builder.Services.AddTurbineControl(options);
        if (options.Dashboard.Enabled)
        {
            Dashboard.DashboardEndpoints.AddServices(builder.Services, options);
        }

        var detached = !builder.Services.Any(d => d.ServiceType == typeof(IDeploymentController));
        builder.Services.TryAddSingleton<IDeploymentController, DetachedDeploymentController>();
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxSpecBytes;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            k.Listen(address, options.Port, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                listen = l;
            });
        });

        var app = builder.Build();
        try
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine.Control");
            var store = app.Services.GetRequiredService<IControlStore>();
            var controller = app.Services.GetRequiredService<IDeploymentController>();
            var middleware = new ControlMiddleware(app.Services.GetRequiredService<ControlAuthenticator>(), logger);
            app.Use(middleware.InvokeAsync);
            configureApp?.Invoke(app);
            app.MapOpenApi();
            new ControlApi(store, controller, options, logger).Map(app);
            if (options.Dashboard.Enabled)
            {
                Dashboard.DashboardEndpoints.Map(app, options);
            }

            app.MapFallback(ctx => ControlHttp.WriteErrorAsync(ctx, StatusCodes.Status404NotFound, "not_found", $"no endpoint for {ctx.Request.Method} {ctx.Request.Path}"));
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var url = new Uri($"http://{(address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString())}:{listen!.IPEndPoint!.Port}/");
            if (options.Dev)
            {
                ControlLog.DevMode(logger);
            }

            if (detached)
            {
                ControlLog.NoReconciler(logger);
            }

            ControlLog.Ready(logger, url.ToString(), store is SqliteControlStore sqlite ? "sqlite:" + sqlite.Path : store.GetType().Name);
            return new ControlHost(app, url);
        }
        catch
        {
            // The container owns the store and the authenticator: disposing it closes them.
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Signalled when the host is asked to stop (SIGTERM, Ctrl+C, <see cref="StopAsync"/>); the stop itself may still be
    /// running. A caller that composes several hosts (<c>turbine up</c>) waits for this and stops them in its own order.
    /// </summary>
    public CancellationToken ShutdownRequested { get; }

    /// <summary>
    /// Completes when the host was asked to stop (SIGTERM, Ctrl+C or <see cref="StopAsync"/>) and that stop has finished:
    /// the controller's replicas drained and stopped, the services disposed. The stop is <see cref="StopAsync"/>'s one run.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the stop, once begun, goes on).</param>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken = default)
    {
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (ShutdownRequested.Register(() => requested.TrySetResult()))
        {
            await requested.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        await StopAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops serving (in-flight requests finish, bounded by the host's shutdown timeout), stops the controller (draining
    /// and stopping its replicas when it is configured to, bounded by its own deadlines) and disposes the services. Runs
    /// once: a second or concurrent call waits for the same stop, so no caller returns while replicas are still draining.
    /// </summary>
    public Task StopAsync() => _stop.RunAsync(StopCoreAsync);

    private async Task StopCoreAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            // Even when the host's stop failed or timed out: disposing the container disposes the controller
            // (IAsyncDisposable), which waits for its own stop to finish; the store goes after it.
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
