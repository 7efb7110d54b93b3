using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Turbine.Backends.Onnx;
using Turbine.Core;
using Turbine.Core.Backends;
using Turbine.Server.Http;

namespace Turbine.Server;

/// <summary>
/// The inference server process: the engine plus its front ends on Kestrel. Start loads the models, then opens
/// the ports; stop turns readiness off, lets in-flight requests finish, then unloads.
/// </summary>
public sealed class TurbineServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private TurbineServer(WebApplication app, InferenceEngine engine, Uri httpAddress)
    {
        _app = app;
        Engine = engine;
        HttpAddress = httpAddress;
    }

    public InferenceEngine Engine { get; }

    /// <summary>The bound HTTP address (the real port when 0 was asked for).</summary>
    public Uri HttpAddress { get; }

    public IHostApplicationLifetime Lifetime => _app.Lifetime;

    public static async Task<TurbineServer> StartAsync(
        ServerOptions options,
        Action<ILoggingBuilder>? configureLogging = null,
        IReadOnlyList<IBackend>? backends = null,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        if (configureLogging is not null)
        {
            configureLogging(builder.Logging);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null; // enforced by the front end with a protocol error (413)
            k.Limits.MinRequestBodyDataRate = null;
            var address = options.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Host);
            k.Listen(address, options.HttpPort, l => l.Protocols = HttpProtocols.Http1);
        });

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine");
        var engine = new InferenceEngine(
            new EngineOptions
            {
                ModelRepository = options.ModelRepository,
                ControlMode = options.ControlMode,
                StartupModels = options.StartupModels,
                PollInterval = options.PollInterval,
            },
            backends ?? [new OnnxBackend()],
            logger);

        try
        {
            await engine.StartAsync(cancellationToken).ConfigureAwait(false);
            HttpEndpoints.Map(app, engine, options);
            app.MapFallback(ctx => HttpErrors.WriteAsync(ctx, StatusCodes.Status404NotFound,
                $"no endpoint for {ctx.Request.Method} {ctx.Request.Path}"));
            app.Lifetime.ApplicationStopping.Register(() => engine.StopAsync().GetAwaiter().GetResult());
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(bound.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal));
        ServerLog.Ready(logger, uri.ToString(), engine.Models.AllServing().Count());
        return new TurbineServer(app, engine, uri);
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

        await Engine.StopAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await Engine.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
