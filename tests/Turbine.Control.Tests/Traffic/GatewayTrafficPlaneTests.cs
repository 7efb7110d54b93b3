using System.Net;
using Turbine.Control.Traffic;
using Turbine.Gateway.Configuration;

namespace Turbine.Control.Tests.Traffic;

public sealed class GatewayTrafficPlaneTests
{
    private static DeploymentRoutes One(string deployment, string model, string revision, params ReplicaEndpoint[] replicas) =>
        new(deployment, [model], [new RevisionRoute(revision, 100, replicas)], null, 0);

    [Fact]
    public async Task Publish_SingleRevision_RoutesTheModelToItsPool_AndKeepsTheStaticConfig()
    {
        await using var f = await PlaneFixture.StartAsync();
        var before = f.Source.Current;
        var a = await f.BackendAsync("a");

        Assert.Null(f.Plane.Publish(new DeploymentRoutes("fraud", ["fraud", "fraud-v2"], [new RevisionRoute("fraud-v1", 100, [a.Endpoint("r1")])], null, 8, TimeSpan.FromSeconds(30))));

        var config = f.Source.Current;
        var pool = config.Pools[GatewayTrafficPlane.PoolName("fraud", "fraud-v1")];
        Assert.Equal("fraud--fraud-v1", GatewayTrafficPlane.PoolName("fraud", "fraud-v1"));
        Assert.Equal(8, pool.MaxConcurrencyPerReplica);
        Assert.Equal(30_000, pool.RequestTimeoutMs); // spec.predictor.timeout, enforced by the gateway
        Assert.True(pool.Retry.Idempotent);
        Assert.Null(pool.Activator);
        Assert.Equal("fraud--fraud-v1", config.Models["fraud"].Pool);
        Assert.Equal("fraud--fraud-v1", config.Models["fraud-v2"].Pool);
        Assert.Same(before.Pools["static"], config.Pools["static"]);
        Assert.Same(before.Models["static-model"], config.Models["static-model"]);
        Assert.Same(before.Auth, config.Auth);
        Assert.Same(before.Limits, config.Limits);

        Assert.Equal((HttpStatusCode.OK, "{\"from\":\"a\"}"), await f.InferAsync("fraud"));
        Assert.Equal((HttpStatusCode.OK, "{\"from\":\"static\"}"), await f.InferAsync("static-model"));
    }

    [Fact]
    public async Task Publish_Split90_10_SendsBothRevisionsTheirShare()
    {
        await using var f = await PlaneFixture.StartAsync();
        var stable = await f.BackendAsync("stable");
        var canary = await f.BackendAsync("canary");

        Assert.Null(f.Plane.Publish(new DeploymentRoutes("fraud", ["fraud"],
            [new RevisionRoute("fraud-v1", 90, [stable.Endpoint("s1")]), new RevisionRoute("fraud-v2", 10, [canary.Endpoint("c1")])], null, 0)));

        var split = f.Source.Current.Models["fraud"].Split!;
        Assert.Equal([("fraud--fraud-v1", 90.0), ("fraud--fraud-v2", 10.0)], split.Select(s => (s.Pool!, s.Weight)));
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await f.InferAsync("fraud")).Status);
        }

        Assert.Equal(200, stable.Received + canary.Received);
        Assert.InRange(canary.Received, 5, 40); // seeded split: 10 % of 200, give or take

        var snapshot = f.Plane.Snapshot("fraud");
        Assert.Equal(["fraud-v1", "fraud-v2"], snapshot.Revisions.Select(r => r.RevisionId));
        Assert.Equal(stable.Received, snapshot.Revisions[0].Requests);
        Assert.Equal(canary.Received, snapshot.Revisions[1].Requests);
        Assert.All(snapshot.Revisions, r => Assert.Equal(0, r.Errors));
        Assert.Equal(r0Count(snapshot), snapshot.Revisions[0].LatencyCounts.Sum());

        static long r0Count(TrafficSnapshot s) => s.Revisions[0].Requests;
    }

    [Fact]
    public async Task Publish_RevisionAtZeroPercent_HasAPoolButNoTraffic()
    {
        await using var f = await PlaneFixture.StartAsync();
        var stable = await f.BackendAsync("stable");
        var old = await f.BackendAsync("old");

        Assert.Null(f.Plane.Publish(new DeploymentRoutes("fraud", ["fraud"],
            [new RevisionRoute("fraud-v2", 100, [stable.Endpoint("s1")]), new RevisionRoute("fraud-v1", 0, [old.Endpoint("o1")])], null, 0)));

        Assert.True(f.Source.Current.Pools.ContainsKey("fraud--fraud-v1"));
        Assert.Equal("fraud--fraud-v2", f.Source.Current.Models["fraud"].Pool);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal((HttpStatusCode.OK, "{\"from\":\"stable\"}"), await f.InferAsync("fraud"));
        }

        Assert.Equal(0, old.Received);
    }

    [Fact]
    public async Task Remove_DeletesItsPoolsAndRoutes_Only()
    {
        await using var f = await PlaneFixture.StartAsync();
        var a = await f.BackendAsync("a");
        var b = await f.BackendAsync("b");
        Assert.Null(f.Plane.Publish(One("fraud", "fraud", "fraud-v1", a.Endpoint("r1"))));
        Assert.Null(f.Plane.Publish(One("iris", "iris", "iris-v1", b.Endpoint("r2"))));

        f.Plane.Remove("fraud");
        f.Plane.Remove("never-published");

        var config = f.Source.Current;
        Assert.Equal(["iris--iris-v1", "static"], config.Pools.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["iris", "static-model"], config.Models.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, (await f.InferAsync("fraud")).Status);
        Assert.Equal((HttpStatusCode.OK, "{\"from\":\"b\"}"), await f.InferAsync("iris"));
        Assert.Empty(f.Plane.Snapshot("fraud").Revisions);

        // The name is free again.
        Assert.Null(f.Plane.Publish(One("other", "fraud", "other-v1", a.Endpoint("r3"))));
    }

    [Fact]
    public async Task Publish_ModelRoutedElsewhere_ReturnsTheErrorAndChangesNothing()
    {
        await using var f = await PlaneFixture.StartAsync();
        var a = await f.BackendAsync("a");
        Assert.Null(f.Plane.Publish(One("fraud", "fraud", "fraud-v1", a.Endpoint("r1"))));
        var before = f.Source.Current;

        Assert.Equal("deployment 'thief': model 'static-model' is already routed by the gateway's static config; nothing changed",
            f.Plane.Publish(One("thief", "static-model", "t-v1", a.Endpoint("r9"))));
        Assert.Equal("deployment 'thief': model 'fraud' is already routed by deployment 'fraud'; nothing changed",
            f.Plane.Publish(new DeploymentRoutes("thief", ["mine", "fraud"], [new RevisionRoute("t-v1", 100, [a.Endpoint("r9")])], null, 0)));
        Assert.Same(before, f.Source.Current);

        // Bad input is refused before the gateway sees it.
        Assert.Equal("deployment 'x': the revisions' percents must add up to 100, got 90",
            f.Plane.Publish(new DeploymentRoutes("x", ["x"], [new RevisionRoute("x-1", 90, [a.Endpoint("r")])], null, 0)));
        Assert.Same(before, f.Source.Current);

        // Republishing one's own routes is not a conflict.
        Assert.Null(f.Plane.Publish(One("fraud", "fraud", "fraud-v2", a.Endpoint("r1"))));
        Assert.False(f.Source.Current.Pools.ContainsKey("fraud--fraud-v1"));
    }

    [Fact]
    public async Task Publish_ConcurrentlyForManyDeployments_AllLand()
    {
        await using var f = await PlaneFixture.StartAsync();
        var a = await f.BackendAsync("a");
        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() =>
            f.Plane.Publish(One($"d{i}", $"m{i}", $"d{i}-v1", a.Endpoint($"r{i}"))))));

        Assert.All(results, Assert.Null);
        var config = f.Source.Current;
        Assert.Equal(25, config.Models.Count);
        Assert.Equal(25, config.Pools.Count);
        Assert.Equal((HttpStatusCode.OK, "{\"from\":\"a\"}"), await f.InferAsync("m17"));
    }

    [Fact]
    public async Task Snapshot_InFlightByReplicaId_WhileASlowBackendHoldsRequests()
    {
        await using var f = await PlaneFixture.StartAsync();
        var slow = await f.BackendAsync("slow", hold: true);
        Assert.Null(f.Plane.Publish(One("fraud", "fraud", "fraud-v1", slow.Endpoint("replica-7"))));

        var pending = Enumerable.Range(0, 3).Select(_ => f.InferAsync("fraud")).ToList();
        Assert.True(await Poll.UntilAsync(() => f.Plane.Snapshot("fraud").InFlightByReplica.GetValueOrDefault("replica-7") == 3, TimeSpan.FromSeconds(15)));
        var during = f.Plane.Snapshot("fraud");
        Assert.Equal(["replica-7"], during.InFlightByReplica.Keys);
        Assert.Equal(0, during.Held);

        slow.Release();
        Assert.All(await Task.WhenAll(pending), r => Assert.Equal(HttpStatusCode.OK, r.Status));
        var after = f.Plane.Snapshot("fraud");
        Assert.Equal(0, after.InFlightByReplica["replica-7"]);
        Assert.Equal(3, after.Revisions.Single().Requests);
    }

    [Fact]
    public async Task ZeroReplicas_WithActivator_HoldsRequests_RaisesActivation_AndForwardsWhenAReplicaIsPublished()
    {
        await using var f = await PlaneFixture.StartAsync();
        var a = await f.BackendAsync("a");
        var activations = new List<string>();
        f.Plane.ActivationRequested += d =>
        {
            lock (activations)
            {
                activations.Add(d);
            }
        };
        var activator = new ActivatorSettings(10, TimeSpan.FromMinutes(2));
        Assert.Null(f.Plane.Publish(new DeploymentRoutes("fraud", ["fraud"], [new RevisionRoute("fraud-v1", 100, [])], activator, 0)));
        Assert.Equal(10, f.Source.Current.Pools["fraud--fraud-v1"].Activator!.QueueSize);
        Assert.Equal(120_000, f.Source.Current.Pools["fraud--fraud-v1"].Activator!.MaxWaitMs);

        var pending = f.InferAsync("fraud");
        Assert.True(await Poll.UntilAsync(() => f.Plane.Snapshot("fraud").Held == 1, TimeSpan.FromSeconds(15)));
        lock (activations)
        {
            Assert.Equal(["fraud"], activations);
        }

        Assert.Null(f.Plane.Publish(new DeploymentRoutes("fraud", ["fraud"], [new RevisionRoute("fraud-v1", 100, [a.Endpoint("r1")])], activator, 0)));
        Assert.Equal((HttpStatusCode.OK, "{\"from\":\"a\"}"), await pending.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, f.Plane.Snapshot("fraud").Held);
    }

    [Fact]
    public async Task Remove_WhileHeld_RefusesTheHeldRequest()
    {
        await using var f = await PlaneFixture.StartAsync();
        Assert.Null(f.Plane.Publish(new DeploymentRoutes("fraud", ["fraud"], [new RevisionRoute("fraud-v1", 100, [])], new ActivatorSettings(10, TimeSpan.FromMinutes(2)), 0)));
        var pending = f.InferAsync("fraud");
        Assert.True(await Poll.UntilAsync(() => f.Plane.Snapshot("fraud").Held == 1, TimeSpan.FromSeconds(15)));

        f.Plane.Remove("fraud");
        var (status, body) = await pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("was removed while the request waited", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZeroReplicas_WithoutActivator_TheRevisionIsNotRouted()
    {
        await using var f = await PlaneFixture.StartAsync();
        Assert.Null(f.Plane.Publish(new DeploymentRoutes("fraud", ["fraud"], [new RevisionRoute("fraud-v1", 100, [])], null, 0)));

        Assert.False(f.Source.Current.Models.ContainsKey("fraud"));
        Assert.False(f.Source.Current.Pools.ContainsKey("fraud--fraud-v1"));
        Assert.Equal(HttpStatusCode.BadRequest, (await f.InferAsync("fraud")).Status);
        var snapshot = f.Plane.Snapshot("fraud");
        Assert.Equal(0, snapshot.Revisions.Single().Requests);
    }

    [Theory]
    [InlineData("", "the deployment name is empty")]
    [InlineData("*", "'*' is not a model name a deployment may route")]
    public void Problem_BadRoutes_NamesTheProblem(string model, string expected)
    {
        var routes = model.Length == 0
            ? new DeploymentRoutes(" ", ["m"], [new RevisionRoute("r", 100, [])], null, 0)
            : new DeploymentRoutes("d", [model], [new RevisionRoute("r", 100, [])], null, 0);
        Assert.Equal(expected, GatewayTrafficPlane.Problem(routes));
        Assert.Equal("expected one or two revisions, got 0", GatewayTrafficPlane.Problem(new DeploymentRoutes("d", ["m"], [], null, 0)));
        Assert.Equal("containerConcurrency must be between 0 and 2147483647, got -1",
            GatewayTrafficPlane.Problem(new DeploymentRoutes("d", ["m"], [new RevisionRoute("r", 100, [])], null, -1)));
    }
}

public sealed class GatewayTrafficPlaneFailoverTests
{
    [Fact]
    public async Task ReplicaKilledUnderLoad_NoRequestLost()
    {
        await using var f = await PlaneFixture.StartAsync();
        var healthy = await f.BackendAsync("healthy");
        using var victim = new DyingReplica();
        Assert.Null(f.Plane.Publish(new DeploymentRoutes("fraud", ["fraud"],
            [new RevisionRoute("fraud-v1", 100, [new ReplicaEndpoint("victim", victim.Address, victim.Address), healthy.Endpoint("healthy")])], null, 0)));

        var results = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                results.Add((await f.InferAsync("fraud")).Status);
            }
        })).ToList();

        // Some requests are in flight on the victim when it dies; the rest of the load runs on after.
        Assert.True(await Poll.UntilAsync(() => victim.Requests >= 2, TimeSpan.FromSeconds(15)));
        victim.Kill();
        await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(160, results.Count);
        Assert.All(results, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(160, healthy.Received);
        Assert.Equal(0, f.Plane.Snapshot("fraud").Revisions.Single().Errors);
    }
}
