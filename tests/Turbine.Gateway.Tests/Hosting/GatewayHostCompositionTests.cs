using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Hosting;

/// <summary>The gateway composed with a config source other than a file, and its options validated for any caller.</summary>
public sealed class GatewayHostCompositionTests(BackendFixture backend) : IClassFixture<BackendFixture>
{
    private static GatewayOptions Options(LogCollector? logs = null) => new()
    {
        HttpPort = 0,
        GrpcPort = 0,
        ShutdownTimeout = TimeSpan.FromSeconds(5),
        ConfigureLogging = l =>
        {
            l.SetMinimumLevel(LogLevel.Information);
            if (logs is not null)
            {
                l.AddProvider(logs);
            }
        },
    };

    private static GatewayConfig RouteAllTo(string http) => new()
    {
        Pools = new() { ["p"] = new PoolConfig { Policy = "roundRobin", Replicas = [new ReplicaConfig { Http = http }] } },
        Models = new() { ["*"] = new ModelRouteConfig { Pool = "p" } },
        AccessLog = new AccessLogConfig { Enabled = false },
    };

    [Fact]
    public async Task StartAsync_InMemorySource_RoutesWithoutAConfigFileAndFollowsUpdates()
    {
        var logs = new LogCollector();
        var serverUrl = backend.Server.HttpAddress.ToString().TrimEnd('/');
        var source = new InMemoryGatewayConfigSource(RouteAllTo(serverUrl), "test config");
        await using var gateway = await GatewayHost.StartAsync(Options(logs), services => services.AddSingleton<IGatewayConfigSource>(source));
        using var http = new HttpClient { BaseAddress = gateway.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal(HttpStatusCode.OK, await InferAsync(http));
        Assert.Contains(logs.Lines, l => l.Message.Contains("config test config (1 pool(s), 1 model route(s))", StringComparison.Ordinal));

        // A valid update takes effect on the running gateway: every request now goes to a closed port.
        Assert.True(source.TryUpdate(RouteAllTo($"http://127.0.0.1:{ClosedPort()}"), out _));
        Assert.NotEqual(HttpStatusCode.OK, await InferAsync(http));

        // An invalid update is refused and the last good config (the closed port) keeps serving.
        var invalid = RouteAllTo(serverUrl) with { Models = new() { ["*"] = new ModelRouteConfig { Pool = "missing" } } };
        Assert.False(source.TryUpdate(invalid, out var errors));
        Assert.Equal(["test config: models.*.pool: unknown pool 'missing' (pools: p)"], errors);
        Assert.NotEqual(HttpStatusCode.OK, await InferAsync(http));

        Assert.True(source.TryUpdate(RouteAllTo(serverUrl), out _));
        Assert.Equal(HttpStatusCode.OK, await InferAsync(http));
    }

    [Fact]
    public async Task StartAsync_NoConfigPathAndNoSource_FailsNamingWhatIsMissing()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayHost.StartAsync(Options()));

        Assert.Contains("ConfigPath", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(IGatewayConfigSource), e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(70000, 0, "--http-port must be between 0 and 65535, got 70000")]
    [InlineData(0, -1, "--grpc-port must be between 0 and 65535, got -1")]
    public async Task StartAsync_BadPort_RefusedBeforeStarting(int httpPort, int grpcPort, string expected)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => GatewayHost.StartAsync(Options() with { ConfigPath = "unused.yaml", HttpPort = httpPort, GrpcPort = grpcPort }));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_EachRule_NamedWithItsFlag()
    {
        var problems = GatewayOptionsValidator.Problems(new GatewayOptions { Host = "nowhere", HttpPort = -1, GrpcPort = 65536, ConfigPollInterval = TimeSpan.Zero });

        Assert.Equal(
            [
                "--host must be an IP address or 'localhost', got 'nowhere'",
                "--http-port must be between 0 and 65535, got -1",
                "--grpc-port must be between 0 and 65535, got 65536",
                "the config poll interval must be positive, got 00:00:00",
            ],
            problems);
        Assert.Empty(GatewayOptionsValidator.Problems(new GatewayOptions { Host = "localhost" }));
    }

    [Fact]
    public async Task AddTurbineGateway_InvalidOptionsInALibraryHost_FailsAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IGatewayConfigSource>(new InMemoryGatewayConfigSource(RouteAllTo("http://127.0.0.1:9")));
        builder.Services.AddTurbineGateway(new GatewayOptions { Host = "nowhere" });
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("--host must be an IP address or 'localhost', got 'nowhere'", e.Failures);
    }

    [Fact]
    public void AddTurbineGateway_SourceRegisteredFirst_Kept()
    {
        var services = new ServiceCollection();
        var source = new InMemoryGatewayConfigSource(RouteAllTo("http://127.0.0.1:9"));
        services.AddSingleton<IGatewayConfigSource>(source);
        services.AddLogging();
        services.AddTurbineGateway(new GatewayOptions { ConfigPath = "never-read.yaml" });
        using var provider = services.BuildServiceProvider();

        Assert.Same(source, provider.GetRequiredService<IGatewayConfigSource>());
        Assert.Equal("never-read.yaml", provider.GetRequiredService<IOptions<GatewayOptions>>().Value.ConfigPath);
    }

    private static async Task<HttpStatusCode> InferAsync(HttpClient http)
    {
        using var content = new StringContent(GatewayHarness.SimpleJson(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("v2/models/simple/infer", content);
        return response.StatusCode;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
