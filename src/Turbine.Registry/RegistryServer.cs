using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Turbine.Hosting;
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
    private int _stopped;

    private RegistryServer(WebApplication app, IRegistryStore store, Uri url)
    {
        _app = app;
        _store = store;
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
        if (RegistryOptionsValidator.Problems(options) is [_, ..] problems)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        var address = HostOptionRules.Address(options.Host);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        options.ConfigureLogging?.Invoke(builder.Logging);
        builder.Services.AddTurbineRegistry(options);
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
        try
        {
            var store = app.Services.GetRequiredService<IRegistryStore>();
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            var artifacts = app.Services.GetRequiredService<IArtifactStore>();
            var artifactsDescription = RegistryArtifactStores.Describe(artifacts, options);
            var metrics = app.Services.GetRequiredService<RegistryMetrics>();
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
            return new RegistryServer(app, store, url) { ArtifactsDescription = artifactsDescription };
        }
        catch
        {
            // The container owns the stores: disposing it closes them.
            await app.DisposeAsync().ConfigureAwait(false);
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

        // Also closes the stores, which the container owns.
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
