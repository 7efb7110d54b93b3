namespace Turbine.EndToEnd.Tests;

/// <summary>A replica stopped in the middle of load: the gateway's retries and health checks hide it from every client.</summary>
public sealed class GatewayFailoverTests(ReplicaSet replicas) : IClassFixture<ReplicaSet>
{
    [Fact]
    public Task ReplicaStoppedMidLoad_ZeroFailedClientRequests() =>
        LoadWhileStoppingAsync(replicas, p => p.Terminate(), expectedExit: 0); // SIGTERM, as an orchestrator stops a replica

    internal static async Task LoadWhileStoppingAsync(ReplicaSet replicas, Action<TurbineProcess> stop, int? expectedExit)
    {
        await using var gateway = await GatewayProcess.StartAsync(replicas.Root, $"""
            pools:
              main:
                policy: roundRobin
                healthCheck: {"{intervalMs: 500}"}
                retry: {"{idempotent: true}"} # simple is stateless: a request cut off by the stopping replica may run again
                replicas: [{replicas.Yaml(0)}, {replicas.Yaml(1)}, {replicas.Yaml(2)}]
            models:
              simple: {"{pool: main}"}
            """);
        var stopped = 0;
        var results = await gateway.LoadAsync(1500, workers: 8, onProgress: i =>
        {
            if (i >= 300 && Interlocked.Exchange(ref stopped, 1) == 0)
            {
                stop(replicas.Process(1));
            }

            return Task.CompletedTask;
        });

        var failed = results.Where(r => r.Status != 200).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} failed requests: {string.Join(", ", failed.Take(5))}\n{gateway.Output}");
        var code = await replicas.Process(1).WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        if (expectedExit is { } expected)
        {
            Assert.Equal(expected, code);
        }

        Assert.Contains(results, r => r.Version == "2"); // replica 2 kept serving its share
    }
}

/// <summary>The same with SIGKILL: requests in flight on the killed replica are cut off and retried elsewhere.</summary>
public sealed class GatewayCrashTests(ReplicaSet replicas) : IClassFixture<ReplicaSet>
{
    [Fact]
    public Task ReplicaKilledMidLoad_ZeroFailedClientRequests() =>
        GatewayFailoverTests.LoadWhileStoppingAsync(replicas, p => p.Kill(), expectedExit: null);
}
