using System.Net;

namespace Turbine.EndToEnd.Tests;

/// <summary>The <c>turbine gateway</c> command itself: bad configs, the ready line, SIGTERM.</summary>
public sealed class GatewayCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-e2e-gwcmd", Guid.NewGuid().ToString("N"));

    public GatewayCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Gateway_BadConfig_ExitsTwoWithTheLineAtFault()
    {
        var path = Path.Combine(_root, "gateway.yaml");
        await File.WriteAllTextAsync(path, "pools:\n  main:\n    policy: fastest\n    replicas: [{http: \"http://127.0.0.1:1\"}]\nmodels:\n  m: {pool: nope}\n");
        var (code, output) = await TurbineProcess.RunAsync("gateway", "--config", path, "--port", "0", "--grpc-port", "0");
        Assert.Equal(2, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            $"turbine: error: {path}:3:13: pools.main.policy: unknown balancing policy 'fastest' (expected one of roundRobin, leastRequests, powerOfTwoChoices, peakEwma)",
            $"turbine: error: {path}:6:13: models.m.pool: unknown pool 'nope' (pools: main)",
        ], lines);
    }

    [Fact]
    public async Task Gateway_MissingConfigFile_ExitsTwo()
    {
        var (code, output) = await TurbineProcess.RunAsync("gateway", "--config", Path.Combine(_root, "absent.yaml"), "--port", "0", "--grpc-port", "0");
        Assert.Equal(2, code);
        Assert.Contains("absent.yaml: cannot read the config file", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_Sigterm_ExitsZero()
    {
        var path = Path.Combine(_root, "gateway.yaml");
        await File.WriteAllTextAsync(path, "pools:\n  main:\n    replicas: [{http: \"http://127.0.0.1:1\"}]\nmodels:\n  \"*\": {pool: main}\n");
        await using var gateway = TurbineProcess.Start(["gateway", "--config", path, "--port", "0", "--grpc-port", "0"]);
        var (http, _) = await gateway.WaitForGatewayReadyAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = http };
        Assert.Equal("{\"live\":true}", await client.GetStringAsync("v2/health/live"));
        gateway.Terminate();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await gateway.WaitForExitAsync(timeout.Token));
    }

    [Fact]
    public async Task Gateway_HotReload_BadEditLoggedWithItsLine_GoodEditApplied()
    {
        var path = Path.Combine(_root, "gateway.yaml");
        const string good = "pools:\n  main:\n    replicas: [{http: \"http://127.0.0.1:1\"}]\nmodels:\n  \"*\": {pool: main}\n";
        await File.WriteAllTextAsync(path, good);
        await using var gateway = TurbineProcess.Start(["gateway", "--config", path, "--port", "0", "--grpc-port", "0"]);
        var (http, _) = await gateway.WaitForGatewayReadyAsync(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { BaseAddress = http };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("metrics")).StatusCode);

        await File.WriteAllTextAsync(path, good + "metrics: {path: nope}\n");
        Assert.True(await GatewayTests.Eventually(() => Task.FromResult(gateway.Output.Contains(
            $"config rejected, the previous config keeps running: {path}:6:17: metrics.path: must start with '/'", StringComparison.Ordinal))), gateway.Output);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("metrics")).StatusCode);

        await File.WriteAllTextAsync(path, good + "metrics: {path: /gateway-metrics}\n");
        Assert.True(await GatewayTests.Eventually(async () => (await client.GetAsync("gateway-metrics")).StatusCode == HttpStatusCode.OK), gateway.Output);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("metrics")).StatusCode);
    }
}
