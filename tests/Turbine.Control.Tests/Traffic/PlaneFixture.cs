using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Turbine.Control.Traffic;
using Turbine.Gateway;
using Turbine.Gateway.Configuration;

namespace Turbine.Control.Tests.Traffic;

/// <summary>
/// A real gateway on loopback whose config starts as a static config (pool <c>static</c>, model <c>static-model</c>,
/// an API key rule), driven by a <see cref="GatewayTrafficPlane"/>; and real loopback backends that answer with their name.
/// </summary>
internal sealed class PlaneFixture : IAsyncDisposable
{
    private readonly List<Backend> _backends = [];

    private PlaneFixture(GatewayHost host, InMemoryGatewayConfigSource source, Backend staticBackend)
    {
        Host = host;
        Source = source;
        Static = staticBackend;
        _backends.Add(staticBackend);
        Plane = new GatewayTrafficPlane(source, host.Activation, host.Traffic);
        Http = new HttpClient { BaseAddress = host.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public GatewayHost Host { get; }

    public InMemoryGatewayConfigSource Source { get; }

    public GatewayTrafficPlane Plane { get; }

    public Backend Static { get; }

    public HttpClient Http { get; }

    public static async Task<PlaneFixture> StartAsync()
    {
        var backend = await Backend.StartAsync("static");
        var config = new GatewayConfig
        {
            Pools = new() { ["static"] = new PoolConfig { Replicas = [new ReplicaConfig { Http = backend.Address.ToString() }] } },
            Models = new() { ["static-model"] = new ModelRouteConfig { Pool = "static" } },
            AccessLog = new AccessLogConfig { Enabled = false },
            Limits = new LimitsConfig(),
        };
        var source = new InMemoryGatewayConfigSource(config, "control");
        var host = await GatewayHost.StartAsync(
            new GatewayOptions
            {
                HttpPort = 0,
                GrpcPort = 0,
                RandomSeed = 7,
                ShutdownTimeout = TimeSpan.FromSeconds(5),
                ConfigureLogging = l => l.SetMinimumLevel(LogLevel.Warning),
            },
            services => services.AddSingleton<IGatewayConfigSource>(source));
        return new PlaneFixture(host, source, backend);
    }

    public async Task<Backend> BackendAsync(string name, bool hold = false)
    {
        var b = await Backend.StartAsync(name, hold);
        _backends.Add(b);
        return b;
    }

    /// <summary>POSTs an inference of <paramref name="model"/>; the status and the name of the backend that answered (or the error body).</summary>
    public async Task<(HttpStatusCode Status, string Body)> InferAsync(string model, CancellationToken ct = default)
    {
        using var response = await Http.PostAsync($"v2/models/{model}/infer", new StringContent("{\"inputs\":[]}", Encoding.UTF8, "application/json"), ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    public async ValueTask DisposeAsync()
    {
        Plane.Dispose();
        Http.Dispose();
        foreach (var b in _backends)
        {
            b.Release();
        }

        await Host.DisposeAsync();
        foreach (var b in _backends)
        {
            await b.DisposeAsync();
        }
    }

    /// <summary>A loopback replica: health endpoints answer 200; inference answers its name, optionally held until <see cref="Release"/>.</summary>
    internal sealed class Backend : IAsyncDisposable
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private WebApplication _app = null!;
        private int _received;

        public string Name { get; private init; } = "";

        public Uri Address { get; private set; } = null!;

        public int Received => Volatile.Read(ref _received);

        public ReplicaEndpoint Endpoint(string id) => new(id, Address, Address);

        public static async Task<Backend> StartAsync(string name, bool hold = false)
        {
            var self = new Backend { Name = name };
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            self._app = builder.Build();
            self._app.Run(async context =>
            {
                if (context.Request.Path.StartsWithSegments("/v2/health") || context.Request.Path.Value!.EndsWith("/ready", StringComparison.Ordinal))
                {
                    return;
                }

                Interlocked.Increment(ref self._received);
                if (hold)
                {
                    await self._gate.Task;
                }

                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"from\":\"" + name + "\"}");
            });
            await self._app.StartAsync();
            self.Address = new Uri(self._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return self;
        }

        public void Release() => _gate.TrySetResult();

        public async ValueTask DisposeAsync()
        {
            Release();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
