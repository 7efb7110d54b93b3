using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Turbine.Protocol.Telemetry;
using Turbine.Registry.Api;
using Turbine.Registry.Artifacts;
using Turbine.Registry.Storage;
using Turbine.Registry.Telemetry;

namespace Turbine.Registry;

/// <summary>
/// The model registry service (<c>turbine registry</c>): the REST API of docs/registry.md on Kestrel, over a metadata
/// store (SQLite or PostgreSQL) and an artifact store (file system or S3). Start it in-process with
/// <see cref="StartAsync"/>; dispose to stop.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IRegistryStore _store;
    private readonly IArtifactStore _artifacts;
    private int _stopped;

    private RegistryServer(WebApplication app, IRegistryStore store, IArtifactStore artifacts, Uri url)
    {
        _app = app;
        _store = store;
        _artifacts = artifacts;
        Url = url;
    }

    /// <summary>The bound base address, e.g. <c>http://127.0.0.1:8080/</c> (the real port when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>Where metadata lives, e.g. <c>sqlite:/data/registry.db</c>.</summary>
    public string MetadataDescription => _store.Description;

    /// <summary>Where artifacts live, e.g. <c>filesystem:/data/artifacts</c>.</summary>
    public string ArtifactsDescription { get; private init; } = "";

    /// <summary>Opens the stores (creating the schema), binds the port, and starts serving.</summary>
    /// <exception cref="ArgumentException">The options are invalid (for example <c>Dev</c> on a non-loopback host).</exception>
    public static async Task<RegistryServer> StartAsync(RegistryOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var address = ParseHost(options.Host);
        if (options.Dev && !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"--dev runs without API tokens and is allowed only on a loopback host, not '{options.Host}'", nameof(options));
        }

        RegistryArtifactStores.Validate(options);
        if (options.MaxArtifactBytes <= 0)
        {
            throw new ArgumentException($"the artifact size limit must be positive, got {options.MaxArtifactBytes}", nameof(options));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        options.ConfigureLogging?.Invoke(builder.Logging);
        builder.Services.AddRegistryOpenApi();
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null; // metadata bodies are bounded by the API; artifacts by MaxArtifactBytes
            k.Listen(address, options.Port, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                listen = l;
            });
        });

        var app = builder.Build();
        var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggerFactory.CreateLogger("Turbine.Registry");
        IRegistryStore? store = null;
        IArtifactStore? artifacts = null;
        try
        {
            store = RegistryStoreFactory.Create(options.DataDirectory, options.Database, options.TimeProvider);
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            (artifacts, var artifactsDescription) = RegistryArtifactStores.Create(options, loggerFactory);
            var metrics = new RegistryMetrics(options.TimeProvider);
            app.Use(metrics.InvokeAsync);
            var middleware = new RegistryMiddleware(store, options.Dev, logger);
            app.Use(middleware.InvokeAsync);
            app.MapOpenApi();

            // Outside /api: not behind the API tokens, like the server's metrics port (aggregate counts only; see docs/registry.md).
            var openStore = store;
            app.MapGet("/metrics", async (HttpContext context) =>
            {
                context.Response.ContentType = PrometheusText.ContentType;
                await context.Response.WriteAsync(await metrics.RenderAsync(openStore, context.RequestAborted).ConfigureAwait(false), context.RequestAborted).ConfigureAwait(false);
            }).ExcludeFromDescription();
            new RegistryApi(store, artifacts, options, metrics).Map(app);
            app.MapFallback(ctx => ApiHttp.WriteErrorAsync(ctx, StatusCodes.Status404NotFound, "not_found", $"no endpoint for {ctx.Request.Method} {ctx.Request.Path}"));
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var url = new Uri($"http://{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString())}:{listen!.IPEndPoint!.Port}/");
            if (options.Dev)
            {
                RegistryLog.DevMode(logger);
            }

            RegistryLog.Ready(logger, url.ToString(), store.Description, artifactsDescription);
            return new RegistryServer(app, store, artifacts, url) { ArtifactsDescription = artifactsDescription };
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            if (artifacts is IDisposable disposable)
            {
                disposable.Dispose();
            }

            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl+C or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops serving (in-flight requests finish) and closes the stores.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_artifacts is IDisposable disposable)
        {
            disposable.Dispose();
        }

        await _store.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static IPAddress ParseHost(string host) =>
        host is "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(host, out var address) ? address
        : throw new ArgumentException($"--host '{host}' is not an IP address (or localhost)", nameof(host));
}
