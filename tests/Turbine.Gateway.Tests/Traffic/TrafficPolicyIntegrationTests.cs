using System.Net;
using System.Text;

namespace Turbine.Gateway.Tests.Traffic;

public sealed class TrafficPolicyIntegrationTests
{
    [Fact]
    public async Task BlueGreen_AdminSwitch_MovesAllTrafficAtOnce()
    {
        await using var h = await GatewayHarness.StartServersAsync(2);
        await h.StartGatewayAsync($"""
            pools:
              blue: {"{replicas: [" + h.Replica(0) + "]}"}
              green: {"{replicas: [" + h.Replica(1) + "]}"}
            models:
              simple:
                blueGreen: {"{blue: blue, green: green}"}
            """);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await h.InferAsync(i)).Status);
        }

        using (var switched = await h.Http.PostAsync("admin/models/simple/switch", null))
        {
            Assert.Equal(HttpStatusCode.OK, switched.StatusCode);
            Assert.Equal("{\"model\":\"simple\",\"active\":\"green\",\"pool\":\"green\"}", await switched.Content.ReadAsStringAsync());
        }

        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(200, (await h.InferAsync(i)).Status);
        }

        Assert.Equal(5, await h.InferCountAsync(0));
        Assert.Equal(7, await h.InferCountAsync(1));

        using var back = await h.Http.PostAsync("admin/models/simple/switch", new StringContent("{\"active\":\"blue\"}", Encoding.UTF8, "application/json"));
        Assert.Contains("\"active\":\"blue\"", await back.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var bad = await h.Http.PostAsync("admin/models/simple/switch", new StringContent("{\"active\":\"red\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("{\"error\":\"switch body: \\\"active\\\" must be \\\"blue\\\" or \\\"green\\\", got \\\"red\\\"\"}", await bad.Content.ReadAsStringAsync());
        using var state = await h.Http.GetAsync("admin/models/simple");
        Assert.Equal("{\"model\":\"simple\",\"policy\":\"blueGreen\",\"active\":\"blue\",\"pools\":[\"blue\",\"green\"]}", await state.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Shadow_EveryRequestMirrored_ClientSeesPrimaryOnly()
    {
        await using var h = await GatewayHarness.StartServersAsync(2);
        await h.StartGatewayAsync($"""
            pools:
              primary: {"{replicas: [" + h.Replica(0) + "]}"}
              shadow: {"{replicas: [" + h.Replica(1) + "]}"}
            models:
              simple:
                pool: primary
                shadow: {"{pool: shadow}"}
            """);
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(200, (await h.InferAsync(i)).Status);
        }

        await h.AssertMirroredAsync(30);
    }

    [Fact]
    public async Task HotReload_RouteChange_AppliesWithoutRestart_BadEditKeepsServing()
    {
        await using var h = await GatewayHarness.StartServersAsync(2);
        string Config(int server) => $"""
            pools:
              p: {"{replicas: [" + h.Replica(server) + "]}"}
            models:
              simple: {"{pool: p}"}
            """;
        await h.StartGatewayAsync(Config(0));
        Assert.Equal(200, (await h.InferAsync()).Status);
        await File.WriteAllTextAsync(h.ConfigPath, Config(0).Replace("pool: p", "pool: q", StringComparison.Ordinal));
        await File.WriteAllTextAsync(h.ConfigPath, Config(1));
        Assert.True(await GatewayHarness.EventuallyAsync(async () =>
        {
            Assert.Equal(200, (await h.InferAsync()).Status);
            return await h.InferCountAsync(1) > 0;
        }));

        await File.WriteAllTextAsync(h.ConfigPath, "pools: [oops");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, (await h.InferAsync()).Status);
        }
    }

    [Fact]
    public async Task Split_SeededGateway_SendsTheConfiguredShare()
    {
        await using var h = await GatewayHarness.StartServersAsync(2);
        await h.StartGatewayAsync($"""
            pools:
              main: {"{replicas: [" + h.Replica(0) + "]}"}
              canary: {"{replicas: [" + h.Replica(1) + "]}"}
            models:
              simple:
                split:
                  - {"{pool: main, weight: 75}"}
                  - {"{pool: canary, weight: 25}"}
            """);
        for (var i = 0; i < 400; i++)
        {
            Assert.Equal(200, (await h.InferAsync(i)).Status);
        }

        Assert.InRange(await h.InferCountAsync(1), 60, 140);
        Assert.Equal(400, await h.InferCountAsync(0) + await h.InferCountAsync(1));
    }
}
