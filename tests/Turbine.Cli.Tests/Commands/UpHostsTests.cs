using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Turbine.Cli.Commands;
using Turbine.Client.Registry;
using Turbine.Gateway;
using Turbine.Gateway.Configuration;
using Turbine.Registry;
using Turbine.Samples;
using Turbine.Server;

namespace Turbine.Cli.Tests.Commands;

/// <summary>
/// What <c>turbine up</c> composes: the registry, the server and the gateway as hosts in one process on loopback, the
/// gateway's config handed over in memory (no temporary YAML between them).
/// </summary>
public sealed class UpHostsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "turbine-cli-tests", "up-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task ThreeHosts_OneProcess_GatewayRoutesToServerWithInMemoryConfigAndRegistryServes()
    {
        var repository = Path.Combine(_dir, "models");
        SampleRepository.CreateModel(repository, "simple");
        var quiet = (Action<ILoggingBuilder>)(l => l.SetMinimumLevel(LogLevel.Warning));
        await using var registry = await RegistryServer.StartAsync(new RegistryOptions { Port = 0, Dev = true, DataDirectory = Path.Combine(_dir, "registry"), ConfigureLogging = quiet });
        await using var server = await TurbineServer.StartAsync(
            new ServerOptions { Engine = new() { ModelRepository = repository }, HttpPort = 0, GrpcPort = 0, MetricsPort = 0, ShutdownTimeout = TimeSpan.FromSeconds(5) }, quiet);
        var gatewayOptions = new GatewayOptions { HttpPort = 0, GrpcPort = 0, ShutdownTimeout = TimeSpan.FromSeconds(5), ConfigureLogging = quiet };
        var source = new InMemoryGatewayConfigSource(UpGateway.Config(server), "turbine up");
        await using var gateway = await GatewayHost.StartAsync(gatewayOptions, services => services.AddSingleton<IGatewayConfigSource>(source));

        // The request goes client → gateway → server, routed by the generated '*' route.
        using var http = new HttpClient { BaseAddress = gateway.HttpAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var content = new StringContent(SimpleJson, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("v2/models/simple/infer", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"OUTPUT0\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The registry host in the same process takes the samples the way 'up' registers them.
        using var client = new RegistryClient(registry.Url);
        Assert.Equal(["simple"], await UpRegistry.RegisterModelsAsync(client, repository, null, CancellationToken.None));
        Assert.NotNull((await client.FindModelAsync("simple"))?.LatestVersion);

        // Nothing was written for the gateway: no config path, and no 'turbine up' temp folder.
        Assert.Null(gatewayOptions.ConfigPath);
        Assert.False(Directory.Exists(Path.Combine(Path.GetTempPath(), "turbine-up-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture))));
        // The controller attaches to the same gateway (its routes beside the catch-all) and the summary names it.
        await using var control = await UpControl.StartAsync(0, new Turbine.Control.AttachedGateway(gateway, source), registry.Url, quiet, CancellationToken.None, Path.Combine(_dir, "control"));
        var summary = UpGateway.Summary(gateway, server, registry, control, [UpControl.Samples[0]]);
        Assert.StartsWith($"turbine ready: HTTP on {gateway.HttpAddress} gRPC on {gateway.GrpcAddress}", summary, StringComparison.Ordinal);
        Assert.Contains($"  control:  {control.Url} (dev mode", summary, StringComparison.Ordinal);
        Assert.Contains("deployments: simple (1-3 replicas at 4 concurrent requests each)", summary, StringComparison.Ordinal);
        // The dashboard on the control port reads up's registry (dev mode: no token).
        Assert.Contains($"  browse:   {control.Url}dashboard/", summary, StringComparison.Ordinal);
        using var dashboard = new HttpClient { BaseAddress = control.Url, Timeout = TimeSpan.FromSeconds(30) };
        Assert.Contains("\"name\":\"simple\"", await dashboard.GetStringAsync("api/dashboard/models"), StringComparison.Ordinal);
    }

    private const string SimpleJson =
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}," +
        "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}";
}
