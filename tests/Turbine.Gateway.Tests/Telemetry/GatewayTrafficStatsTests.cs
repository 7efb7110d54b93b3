using System.Net;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.LoadBalancing;
using Turbine.Gateway.Telemetry;
using Turbine.Gateway.Tests.Activation;
using Turbine.Gateway.Tests.Proxy;

namespace Turbine.Gateway.Tests.Telemetry;

public sealed class GatewayTrafficStatsTests
{
    [Fact]
    public void PoolTraffic_Record_CountsRequestsErrorsAndTheRightBuckets()
    {
        var traffic = new PoolTraffic();
        traffic.Record(0.4, error: false); // <= 1 ms
        traffic.Record(1, error: false); // a bound belongs to its own bucket
        traffic.Record(7, error: true); // (5, 10]
        traffic.Record(1e9, error: true); // overflow

        Assert.Equal((4L, 2L), (traffic.Requests, traffic.Errors));
        var counts = traffic.Counts();
        Assert.Equal(PoolTraffic.BucketsMs.Length + 1, counts.Length);
        Assert.Equal(2, counts[0]);
        Assert.Equal(1, counts[Array.IndexOf(PoolTraffic.BucketsMs, 10)]);
        Assert.Equal(1, counts[^1]);
        Assert.Equal(4, counts.Sum());
    }

    [Fact]
    public async Task Snapshot_CountsPerPool_InFlightPerReplica_AndSurvivesUpdatesThatKeepThePool()
    {
        await using var slow = await ScriptedBackend.StartAsync(200, "{\"ok\":true}", hold: true);
        await using var failing = await ScriptedBackend.StartAsync(500, "{\"error\":\"boom\"}");
        GatewayConfig Config(string extraModel) => new()
        {
            Pools = new()
            {
                ["slow"] = new PoolConfig { Replicas = [new ReplicaConfig { Http = slow.Address.ToString() }] },
                ["failing"] = new PoolConfig { Replicas = [new ReplicaConfig { Http = failing.Address.ToString() }], Outlier = new OutlierConfig { ConsecutiveFailures = 100 } },
            },
            Models = new()
            {
                ["m"] = new ModelRouteConfig { Pool = "slow" },
                ["bad"] = new ModelRouteConfig { Pool = "failing" },
                [extraModel] = new ModelRouteConfig { Pool = "slow" },
            },
            AccessLog = new AccessLogConfig { Enabled = false },
        };

        await using var g = await ActivatorGateway.StartAsync(Config("extra1"));
        for (var i = 0; i < 3; i++)
        {
            using var response = await g.PostAsync("{}", "bad");
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }

        var held = new[] { g.PostAsync("{}"), g.PostAsync("{}") };
        var slowId = slow.Address.ToString().TrimEnd('/');
        Assert.True(await Poll.UntilAsync(() => g.Host.Traffic.Snapshot("slow")!.InFlightByReplica.GetValueOrDefault(slowId) == 2, TimeSpan.FromSeconds(15)));
        var during = g.Host.Traffic.Snapshot("slow")!;
        Assert.Equal(0, during.Requests); // counted when answered

        var bad = g.Host.Traffic.Snapshot("failing")!;
        Assert.Equal((3L, 3L), (bad.Requests, bad.Errors));
        Assert.Equal(3, bad.LatencyCounts.Sum());
        Assert.Equal(GatewayTrafficStats.LatencyBucketsMs.Count + 1, bad.LatencyCounts.Count);
        Assert.Equal(0, bad.InFlightByReplica[failing.Address.ToString().TrimEnd('/')]);

        // A config update that keeps both pools keeps their counters and the in-flight count.
        g.Update(Config("extra2"));
        Assert.Equal(3, g.Host.Traffic.Snapshot("failing")!.Requests);
        Assert.Equal(2, g.Host.Traffic.Snapshot("slow")!.InFlightByReplica[slowId]);

        slow.Release();
        foreach (var r in await Task.WhenAll(held))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            r.Dispose();
        }

        var after = g.Host.Traffic.Snapshot("slow")!;
        Assert.Equal((2L, 0L, 0), (after.Requests, after.Errors, after.InFlightByReplica[slowId]));
        Assert.Equal(2, after.LatencyCounts.Sum());
        Assert.Null(g.Host.Traffic.Snapshot("nope"));
    }
}
