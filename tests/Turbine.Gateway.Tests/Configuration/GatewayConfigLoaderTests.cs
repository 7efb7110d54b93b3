using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.Tests.Configuration;

public sealed class GatewayConfigLoaderTests
{
    private const string Valid = """
        pools:
          main:
            policy: leastRequests
            maxConcurrencyPerReplica: 8
            replicas:
              - http: http://127.0.0.1:9000
                grpc: http://127.0.0.1:9001
          canary:
            replicas:
              - http: http://127.0.0.1:9100
        models:
          simple:
            split:
              - pool: main
                weight: 90
              - pool: canary
                weight: 10
            shadow:
              pool: canary
          "*":
            pool: main
        """;

    private static GatewayConfig? Load(string yaml, out IReadOnlyList<string> errors) =>
        GatewayConfigLoader.Load(yaml, "gateway.yaml", "/tmp", out errors);

    [Fact]
    public void Load_ValidConfig_ParsesPoolsRoutesAndDefaults()
    {
        var config = Load(Valid, out var errors);
        Assert.Empty(errors);
        Assert.NotNull(config);
        Assert.Equal("leastRequests", config.Pools["main"].Policy);
        Assert.Equal(8, config.Pools["main"].MaxConcurrencyPerReplica);
        Assert.Equal("http://127.0.0.1:9001", config.Pools["main"].Replicas[0].Grpc);
        Assert.Equal("powerOfTwoChoices", config.Pools["canary"].Policy);
        Assert.Equal(3, config.Pools["canary"].Retry.MaxAttempts);
        Assert.Equal([90.0, 10.0], config.Models["simple"].Split!.Select(s => s.Weight));
        Assert.Equal(100, config.Models["simple"].Shadow!.Percent);
        Assert.Equal("main", config.Models["*"].Pool);
    }

    [Fact]
    public void Load_EmptyFile_IsRejected()
    {
        Assert.Null(Load("# nothing yet\n", out var errors));
        Assert.Equal(["gateway.yaml:1:1: the config is empty: it needs at least one pool under 'pools'"], errors);
    }

    [Fact]
    public void Load_UnknownKey_ReportsItsLineAndColumn()
    {
        var yaml = Valid.Replace("    policy: leastRequests", "    polcy: leastRequests", StringComparison.Ordinal);
        Assert.Null(Load(yaml, out var errors));
        var error = Assert.Single(errors);
        Assert.StartsWith("gateway.yaml:3:5: ", error, StringComparison.Ordinal);
        Assert.Contains("polcy", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SemanticErrors_EachReportedWithPathAndLine()
    {
        var yaml = Valid
            .Replace("policy: leastRequests", "policy: fastest", StringComparison.Ordinal)
            .Replace("- pool: canary\n        weight: 10", "- pool: canery\n        weight: -1", StringComparison.Ordinal)
            .Replace("http: http://127.0.0.1:9100", "http: not-a-url", StringComparison.Ordinal);
        Assert.Null(Load(yaml, out var errors));
        Assert.Contains("gateway.yaml:3:13: pools.main.policy: unknown balancing policy 'fastest' (expected one of roundRobin, leastRequests, powerOfTwoChoices, peakEwma)", errors);
        Assert.Contains("gateway.yaml:10:15: pools.canary.replicas[0].http: must be an absolute http:// or https:// URL, got 'not-a-url'", errors);
        Assert.Contains("gateway.yaml:17:17: models.simple.split[1].weight: must not be negative, got -1", errors);
        Assert.Contains("gateway.yaml:16:15: models.simple.split[1].pool: unknown pool 'canery' (pools: canary, main)", errors);
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Load_RouteWithTwoPolicies_IsRejectedAtTheRoute()
    {
        var yaml = """
            pools:
              a:
                replicas: [{http: "http://127.0.0.1:1"}]
            models:
              m:
                pool: a
                blueGreen: {blue: a, green: a}
            """;
        Assert.Null(Load(yaml, out var errors));
        Assert.Equal(["gateway.yaml:6:5: models.m: a model route needs exactly one of 'pool', 'split', 'abTest' or 'blueGreen', got 2"], errors);
    }

    [Fact]
    public void Load_YamlSyntaxError_ReportsTheLine()
    {
        Assert.Null(Load("pools:\n  a:\n    replicas: [\n", out var errors));
        var error = Assert.Single(errors);
        Assert.Matches(@"^gateway\.yaml:[34]:\d+: ", error);
    }

    [Fact]
    public void Load_WrongType_ReportsTheLine()
    {
        Assert.Null(Load("pools:\n  a:\n    maxConcurrencyPerReplica: many\n    replicas: [{http: \"http://127.0.0.1:1\"}]\n", out var errors));
        var error = Assert.Single(errors);
        Assert.StartsWith("gateway.yaml:3:31: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_VersionSplitAndVariants_TargetsWithoutAPoolUseTheRoutesPool()
    {
        var yaml = """
            pools:
              a:
                replicas: [{http: "http://127.0.0.1:1"}]
              b:
                replicas: [{http: "http://127.0.0.1:2"}]
            models:
              m:
                pool: a
                split:
                  - {version: 1, weight: 90}
                  - {pool: b, version: "2", weight: 10}
              n:
                pool: a
                abTest:
                  variants:
                    - {name: old, version: 3}
                    - {name: new, pool: b}
            """;
        var config = Load(yaml, out var errors);
        Assert.Empty(errors);
        Assert.Equal(["1", "2"], config!.Models["m"].Split!.Select(s => s.Version));
        Assert.Equal(["a", "b"], config.Models["m"].PoolReferences("").Select(p => p.Pool));
        Assert.Equal(["3", null], config.Models["n"].AbTest!.Variants.Select(v => v.Version));
    }

    [Fact]
    public void Load_BadVersions_AndATargetWithNoPool_ReportedWithPathAndLine()
    {
        var yaml = """
            pools:
              a:
                replicas: [{http: "http://127.0.0.1:1"}]
            models:
              m:
                split:
                  - {version: 0, weight: 1}
                  - {pool: a, version: v2, weight: 1}
              n:
                pool: a
                abTest:
                  variants:
                    - {name: x, version: "-1"}
            """;
        Assert.Null(Load(yaml, out var errors));
        Assert.Contains("gateway.yaml:7:19: models.m.split[0].version: a model version must be a positive integer, got '0'", errors);
        Assert.Contains("gateway.yaml:8:28: models.m.split[1].version: a model version must be a positive integer, got 'v2'", errors);
        Assert.Contains(errors, e => e.Contains("models.m.split[0].pool: a pool name is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("models.n.abTest.variants[0].version: a model version must be a positive integer, got '-1'", StringComparison.Ordinal));
        Assert.Equal(4, errors.Count);
    }
}
