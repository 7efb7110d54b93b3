using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Activation;

/// <summary>A real gateway on loopback fed by an in-memory config source, and a backend that echoes each request's body.</summary>
internal sealed class ActivatorGateway : IAsyncDisposable
{
    private ActivatorGateway(GatewayHost host, InMemoryGatewayConfigSource source, WebApplication echo, Uri echoAddress)
    {
        Host = host;
        Source = source;
        Echo = echo;
        EchoAddress = echoAddress;
        Http = new HttpClient { BaseAddress = host.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public GatewayHost Host { get; }

    public InMemoryGatewayConfigSource Source { get; }

    public WebApplication Echo { get; }

    /// <summary>A backend that answers 200 with the request body it received, prefixed with <c>echo:</c>.</summary>
    public Uri EchoAddress { get; }

    public HttpClient Http { get; }

    public static GatewayConfig Config(ActivatorConfig? activator, params Uri[] replicas) => new()
    {
        Pools = new()
        {
            ["zero"] = new PoolConfig
            {
                Replicas = [.. replicas.Select(r => new ReplicaConfig { Http = r.ToString() })],
                Activator = activator,
                HealthCheck = new HealthCheckConfig { Enabled = false },
            },
        },
        Models = new() { ["m"] = new ModelRouteConfig { Pool = "zero" } },
        AccessLog = new AccessLogConfig { Enabled = false },
    };

    public static async Task<ActivatorGateway> StartAsync(GatewayConfig config, TimeProvider? time = null)
    {
        var (echo, address) = await LoopbackApp.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"echo\":" + System.Text.Json.JsonSerializer.Serialize(body) + "}");
        });
        var source = new InMemoryGatewayConfigSource(config, "test");
        var host = await GatewayHost.StartAsync(
            new GatewayOptions
            {
                HttpPort = 0,
                GrpcPort = 0,
                RandomSeed = 1,
                TimeProvider = time,
                ShutdownTimeout = TimeSpan.FromSeconds(5),
                ConfigureLogging = l => l.SetMinimumLevel(LogLevel.Warning),
            },
            services => services.AddSingleton<IGatewayConfigSource>(source));
        return new ActivatorGateway(host, source, echo, address);
    }

    public Task<HttpResponseMessage> PostAsync(string body, string model = "m", CancellationToken ct = default) =>
        Http.PostAsync($"v2/models/{model}/infer", new StringContent(body, Encoding.UTF8, "application/json"), ct);

    public void Update(GatewayConfig config) => Assert.True(Source.TryUpdate(config, out var errors), string.Join("; ", errors));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Echo.StopAsync();
        await Echo.DisposeAsync();
    }
}
