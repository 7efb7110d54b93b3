using System.Net;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using Turbine.Client;
using Turbine.Gateway.Activation;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Activation;

public sealed class GatewayActivationTests
{
    private static readonly ActivatorConfig Patient = new() { QueueSize = 4, MaxWaitMs = 120_000 };

    [Fact]
    public void Validate_PoolWithoutReplicas_NeedsAnActivator_AndTheActivatorIsBounded()
    {
        var none = GatewayConfigLoader.Validate(ActivatorGateway.Config(null), "t", Path.GetTempPath());
        Assert.Equal(["t: pools.zero.replicas: a pool needs at least one replica (or an 'activator' to hold requests while it has none)"], none);

        Assert.Empty(GatewayConfigLoader.Validate(ActivatorGateway.Config(Patient), "t", Path.GetTempPath()));

        var bad = GatewayConfigLoader.Validate(ActivatorGateway.Config(new ActivatorConfig { QueueSize = 0, MaxWaitMs = 600_001 }), "t", Path.GetTempPath());
        Assert.Equal(
            ["t: pools.zero.activator.queueSize: must be between 1 and 100000, got 0", "t: pools.zero.activator.maxWaitMs: must be between 1 and 600000, got 600001"],
            bad);
    }

    [Fact]
    public async Task HeldRequest_ForwardedWithItsBody_OnceAConfigUpdateAddsAReplica()
    {
        await using var g = await ActivatorGateway.StartAsync(ActivatorGateway.Config(Patient));
        var requested = new List<string>();
        g.Host.Activation.ActivationRequested += pool =>
        {
            lock (requested)
            {
                requested.Add(pool);
            }
        };

        var pending = g.PostAsync("{\"payload\":42}");
        Assert.True(await Eventually(() => g.Host.Activation.Held("zero") == 1));
        Assert.False(pending.IsCompleted);
        lock (requested)
        {
            Assert.Equal(["zero"], requested);
        }

        g.Update(ActivatorGateway.Config(Patient, g.EchoAddress));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var echoed = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("{\"payload\":42}", echoed.RootElement.GetProperty("echo").GetString()); // the body buffered while held
        Assert.Equal(0, g.Host.Activation.Held("zero"));

        // With a replica the request path never waits.
        using var direct = await g.PostAsync("{}");
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        lock (requested)
        {
            Assert.Single(requested);
        }
    }

    [Fact]
    public async Task QueueFull_RefusedAtOnceWith503AndRetryAfter()
    {
        await using var g = await ActivatorGateway.StartAsync(ActivatorGateway.Config(new ActivatorConfig { QueueSize = 1, MaxWaitMs = 120_000 }));
        using var cts = new CancellationTokenSource();
        var first = g.PostAsync("{}", ct: cts.Token);
        Assert.True(await Eventually(() => g.Host.Activation.Held("zero") == 1));

        using var second = await g.PostAsync("{}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), second.Headers.RetryAfter?.Delta);
        Assert.Equal("{\"error\":\"the activator queue of pool 'zero' is full (1 requests wait for a replica)\"}", await second.Content.ReadAsStringAsync());
        Assert.Equal(1, g.Host.Activation.Refused("zero", GatewayActivation.QueueFull));
        Assert.Equal(1, g.Host.Activation.Held("zero"));
        Assert.Contains("turbine_gateway_activator_refused_total{pool=\"zero\",reason=\"queue_full\"} 1", await g.Http.GetStringAsync("metrics"), StringComparison.Ordinal);
        Assert.Contains("turbine_gateway_activator_held{pool=\"zero\"} 1", await g.Http.GetStringAsync("metrics"), StringComparison.Ordinal);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
    }

    [Fact]
    public async Task NoReplicaWithinMaxWait_503_FakeTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var g = await ActivatorGateway.StartAsync(ActivatorGateway.Config(new ActivatorConfig { QueueSize = 4, MaxWaitMs = 5000 }), time);
        var pending = g.PostAsync("{}");
        Assert.True(await Eventually(() => g.Host.Activation.Held("zero") == 1));

        using var response = await AdvanceUntil(time, pending);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal("{\"error\":\"no replica of pool 'zero' became ready within 5000 ms\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, g.Host.Activation.Refused("zero", GatewayActivation.Timeout));
        Assert.Equal(0, g.Host.Activation.Held("zero"));
        var stats = g.Host.Traffic.Snapshot("zero")!;
        Assert.Equal((1L, 1L), (stats.Requests, stats.Errors));
    }

    [Fact]
    public async Task Grpc_NoReplicaWithinMaxWait_Unavailable()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var g = await ActivatorGateway.StartAsync(ActivatorGateway.Config(new ActivatorConfig { QueueSize = 4, MaxWaitMs = 3000 }), time);
        using var client = GrpcClients.Create(g.Host.GrpcAddress, new Dictionary<string, string>());
        var call = client.InferAsync("m", GrpcClients.SimpleInputs());
        Assert.True(await Eventually(() => g.Host.Activation.Held("zero") == 1));

        var error = await Assert.ThrowsAsync<TurbineClientException>(() => AdvanceUntil(time, call));
        Assert.Equal(StatusCode.Unavailable, error.GrpcStatusCode);
        Assert.Equal("no replica of pool 'zero' became ready within 3000 ms", error.ServerMessage);
    }

    [Fact]
    public async Task ClientGoesAway_ItsSlotIsFreed_AndTheNextRequestIsHeldNotRefused()
    {
        await using var g = await ActivatorGateway.StartAsync(ActivatorGateway.Config(new ActivatorConfig { QueueSize = 1, MaxWaitMs = 120_000 }));
        using (var cts = new CancellationTokenSource())
        {
            var gone = g.PostAsync("{}", ct: cts.Token);
            Assert.True(await Eventually(() => g.Host.Activation.Held("zero") == 1));
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gone);
        }

        Assert.True(await Eventually(() => g.Host.Activation.Held("zero") == 0));
        var next = g.PostAsync("{\"n\":2}");
        Assert.True(await Eventually(() => g.Host.Activation.Held("zero") == 1));
        Assert.Equal(0, g.Host.Activation.Refused("zero", GatewayActivation.QueueFull));

        g.Update(ActivatorGateway.Config(null, g.EchoAddress));
        using var response = await next.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PoolRemovedWhileHeld_503()
    {
        await using var g = await ActivatorGateway.StartAsync(ActivatorGateway.Config(Patient));
        var pending = g.PostAsync("{}");
        Assert.True(await Eventually(() => g.Host.Activation.Held("zero") == 1));

        g.Update(new GatewayConfig
        {
            Pools = new() { ["other"] = new PoolConfig { Replicas = [new ReplicaConfig { Http = g.EchoAddress.ToString() }] } },
            Models = new() { ["x"] = new ModelRouteConfig { Pool = "other" } },
            AccessLog = new AccessLogConfig { Enabled = false },
        });
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("{\"error\":\"pool 'zero' was removed while the request waited for a replica\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HostStops_HeldRequestsRefusedAtOnce()
    {
        await using var g = await ActivatorGateway.StartAsync(ActivatorGateway.Config(Patient));
        var pending = g.PostAsync("{}");
        Assert.True(await Eventually(() => g.Host.Activation.Held("zero") == 1));

        var stopping = g.Host.StopAsync();
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("{\"error\":\"the gateway is shutting down\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, g.Host.Activation.Refused("zero", GatewayActivation.ShuttingDown));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static Task<bool> Eventually(Func<bool> condition) =>
        Poll.UntilAsync(() => Task.FromResult(condition()), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(10));

    /// <summary>Moves fake time on a second at a time until <paramref name="task"/> completes (the activator's timer may start after the request is counted).</summary>
    private static async Task<T> AdvanceUntil<T>(FakeTimeProvider time, Task<T> task)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!task.IsCompleted && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(task, Task.Delay(20));
        }

        return await task;
    }
}
