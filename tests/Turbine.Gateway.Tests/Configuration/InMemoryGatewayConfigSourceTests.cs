using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Configuration;

/// <summary>The in-memory source: the file source's validation and update semantics, for a config object.</summary>
public sealed class InMemoryGatewayConfigSourceTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static GatewayConfig Config(string policy, string pool = "main") => new()
    {
        Pools = new() { [pool] = new PoolConfig { Policy = policy, Replicas = [new ReplicaConfig { Http = "http://127.0.0.1:9000" }] } },
        Models = new() { ["*"] = new ModelRouteConfig { Pool = "main" } },
    };

    private static string Yaml(string policy) => $"""
        pools:
          main:
            policy: {policy}
            replicas:
              - http: http://127.0.0.1:9000
        models:
          "*":
            pool: main
        """;

    [Fact]
    public void Constructor_InvalidConfig_ThrowsWithEveryError()
    {
        var e = Assert.Throws<GatewayConfigException>(() => new InMemoryGatewayConfigSource(Config("nope", pool: "other")));

        Assert.Equal(
            [
                "memory: pools.other.policy: unknown balancing policy 'nope' (expected one of roundRobin, leastRequests, powerOfTwoChoices, peakEwma)",
                "memory: models.*.pool: unknown pool 'main' (pools: other)",
            ],
            e.Errors);
    }

    [Fact]
    public void TryUpdate_ValidConfig_AppliedAndChangedRaised()
    {
        var source = new InMemoryGatewayConfigSource(Config("roundRobin"));
        var seen = new List<GatewayConfig>();
        source.Changed += seen.Add;
        var next = Config("peakEwma");

        Assert.True(source.TryUpdate(next, out var errors));

        Assert.Empty(errors);
        Assert.Same(next, source.Current);
        Assert.Equal([next], seen);
    }

    [Fact]
    public void TryUpdate_InvalidConfig_RejectedLoggedAndLastGoodKept()
    {
        var logs = new LogCollector();
        var source = new InMemoryGatewayConfigSource(Config("roundRobin"), "pushed") { Logger = logs.CreateLogger("test") };
        var good = source.Current;
        var changes = 0;
        source.Changed += _ => changes++;

        Assert.False(source.TryUpdate(Config("bogus"), out var errors));

        Assert.Equal(["pushed: pools.main.policy: unknown balancing policy 'bogus' (expected one of roundRobin, leastRequests, powerOfTwoChoices, peakEwma)"], errors);
        Assert.Same(good, source.Current);
        Assert.Equal(0, changes);
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("the previous config keeps running: " + errors[0], StringComparison.Ordinal));
    }

    [Fact]
    public void TryUpdate_InvalidConfig_SameErrorsAsTheFileSourceForTheSameConfig()
    {
        var path = Path.Combine(_dir.Path, "gateway.yaml");
        File.WriteAllText(path, Yaml("bogus"));
        var fileErrors = Assert.Throws<GatewayConfigException>(() => FileGatewayConfigSource.Open(path, NullLogger.Instance)).Errors;
        var source = new InMemoryGatewayConfigSource(Config("roundRobin"));

        Assert.False(source.TryUpdate(Config("bogus"), out var memoryErrors));

        // Only the location differs: FILE:LINE:COL for the file, the source's name for the object.
        Assert.Equal(fileErrors.Select(e => e[(path.Length + ":3:13: ".Length)..]), memoryErrors.Select(e => e["memory: ".Length..]));
    }
}
