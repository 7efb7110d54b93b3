using System.Text;
using System.Text.Json;
using Turbine.Client;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Traffic;

/// <summary>
/// Version-level splits and gRPC shadow with real servers: <c>simple</c> version 1 answers OUTPUT0 = INPUT0 + INPUT1,
/// version 2 (added by <see cref="GatewayHarness.AddSwappedVersion2"/>) OUTPUT0 = INPUT0 - INPUT1.
/// </summary>
public sealed class VersionTrafficIntegrationTests
{
    private static readonly int[] Sum = Enumerable.Range(1, 16).ToArray();        // INPUT0 = 0..15, INPUT1 = 1
    private static readonly int[] Difference = Enumerable.Range(-1, 16).ToArray();

    [Fact]
    public async Task VersionSplit_HundredToZero_RestAndGrpcLandOnTheVersion_RequestNamingAVersionKeepsIt()
    {
        await using var h = await GatewayHarness.StartServersAsync(1, prepareRepository: (_, repo) => GatewayHarness.AddSwappedVersion2(repo));
        await h.StartGatewayAsync($"""
            pools:
              p: {"{replicas: [" + h.Replica(0) + "]}"}
            models:
              simple:
                pool: p
                split:
                  - {"{version: \"1\", weight: 100}"}
                  - {"{version: 2, weight: 0}"}
            """);
        for (var i = 0; i < 5; i++)
        {
            var (status, body, response) = await h.InferAsync();
            response.Dispose();
            Assert.Equal(200, status);
            Assert.Equal("1", body.GetProperty("model_version").GetString());
            Assert.Equal(Sum, Output0(body));
        }

        using var grpc = new TurbineGrpcClient(h.Gateway!.GrpcAddress);
        for (var i = 0; i < 5; i++)
        {
            var result = await grpc.InferAsync("simple", GrpcClients.SimpleInputs());
            Assert.Equal("1", result.ModelVersion);
            Assert.Equal(Sum, result.GetOutput("OUTPUT0").AsArray<int>());
        }

        // A request that names its version keeps it (the split still chooses the pool).
        using (var request = new HttpRequestMessage(HttpMethod.Post, "v2/models/simple/versions/2/infer") { Content = new StringContent(GatewayHarness.SimpleJson(), Encoding.UTF8, "application/json") })
        using (var response = await h.Http.SendAsync(request))
        {
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("2", doc.RootElement.GetProperty("model_version").GetString());
            Assert.Equal(Difference, Output0(doc.RootElement));
        }

        var named = await grpc.InferAsync("simple", GrpcClients.SimpleInputs(), options: new InferOptions { ModelVersion = "2" });
        Assert.Equal("2", named.ModelVersion);
        Assert.Equal(Difference, named.GetOutput("OUTPUT0").AsArray<int>());

        Assert.Equal(10, await VersionCountAsync(h, 1));
        Assert.Equal(2, await VersionCountAsync(h, 2));
        var metrics = await h.Http.GetStringAsync("metrics");
        Assert.Contains("turbine_gateway_requests_total{model=\"simple\",pool=\"p\",version=\"1\",", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionSplit_SeededWeights_RestAndGrpcAnswersComeFromTheChosenVersions()
    {
        await using var h = await GatewayHarness.StartServersAsync(2, prepareRepository: (i, repo) =>
        {
            if (i == 1)
            {
                GatewayHarness.AddSwappedVersion2(repo);
            }
        });
        await h.StartGatewayAsync($"""
            pools:
              stable: {"{replicas: [" + h.Replica(0) + "]}"}
              canary: {"{replicas: [" + h.Replica(1) + "]}"}
            models:
              simple:
                split:
                  - {"{pool: stable, weight: 60}"}
                  - {"{pool: canary, version: 2, weight: 40}"}
            """);
        var versions = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var (status, body, response) = await h.InferAsync();
            response.Dispose();
            Assert.Equal(200, status);
            var version = body.GetProperty("model_version").GetString()!;
            Assert.Equal(version == "2" ? Difference : Sum, Output0(body));
            versions.Add(version);
        }

        using var grpc = new TurbineGrpcClient(h.Gateway!.GrpcAddress);
        for (var i = 0; i < 40; i++)
        {
            var result = await grpc.InferAsync("simple", GrpcClients.SimpleInputs());
            Assert.Equal(result.ModelVersion == "2" ? Difference : Sum, result.GetOutput("OUTPUT0").AsArray<int>());
            versions.Add(result.ModelVersion);
        }

        var canary = versions.Count(v => v == "2");
        Assert.InRange(canary, 1, 79);
        Assert.Equal(80 - canary, versions.Count(v => v == "1"));

        // The stable pool's server has only version 1; the canary's version 1 is never asked for.
        Assert.Equal(80 - canary, await h.InferCountAsync(0));
        Assert.Equal(canary, await VersionCountAsync(h, 2, server: 1));
        Assert.Equal(0, await VersionCountAsync(h, 1, server: 1));
    }

    [Fact]
    public async Task GrpcShadow_EveryUnaryInferMirrored_ClientSeesPrimaryOnly()
    {
        await using var h = await GatewayHarness.StartServersAsync(2);
        await h.StartGatewayAsync(ShadowConfig(h));
        using var grpc = new TurbineGrpcClient(h.Gateway!.GrpcAddress);
        for (var i = 0; i < 20; i++)
        {
            var result = await grpc.InferAsync("simple", GrpcClients.SimpleInputs());
            Assert.Equal(Sum, result.GetOutput("OUTPUT0").AsArray<int>());
        }

        await h.AssertMirroredAsync(20);
    }

    [Fact]
    public async Task GrpcShadow_DifferentShadowModel_CountedAsDifferences_ClientSeesPrimaryOnly()
    {
        // The shadow server serves versions 1 and 2; an unversioned request gets its latest, the swapped version 2.
        await using var h = await GatewayHarness.StartServersAsync(2, prepareRepository: (i, repo) =>
        {
            if (i == 1)
            {
                GatewayHarness.AddSwappedVersion2(repo);
            }
        });
        await h.StartGatewayAsync(ShadowConfig(h));
        using var grpc = new TurbineGrpcClient(h.Gateway!.GrpcAddress);
        for (var i = 0; i < 10; i++)
        {
            var result = await grpc.InferAsync("simple", GrpcClients.SimpleInputs());
            Assert.Equal("1", result.ModelVersion);
            Assert.Equal(Sum, result.GetOutput("OUTPUT0").AsArray<int>());
        }

        Assert.True(await GatewayHarness.EventuallyAsync(async () => await VersionCountAsync(h, 2, server: 1) == 10));
        Assert.True(await GatewayHarness.EventuallyAsync(async () =>
            (await h.Http.GetStringAsync("metrics")).Contains("turbine_gateway_shadow_differences_total{model=\"simple\",pool=\"shadow\"} 10", StringComparison.Ordinal)));
        Assert.Equal((10L, 0L, 10L, 0L), h.Metrics.ShadowCounts("simple", "shadow"));
    }

    private static string ShadowConfig(GatewayHarness h) => $"""
        pools:
          primary: {"{replicas: [" + h.Replica(0) + "]}"}
          shadow: {"{replicas: [" + h.Replica(1) + "]}"}
        models:
          simple:
            pool: primary
            shadow: {"{pool: shadow}"}
        """;

    private static int[] Output0(JsonElement body) =>
        body.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "OUTPUT0")
            .GetProperty("data").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>Successful inferences of one version of <c>simple</c>, counted by the server itself.</summary>
    private static async Task<long> VersionCountAsync(GatewayHarness h, int version, int server = 0)
    {
        using var client = new HttpClient { BaseAddress = h.Servers[server].HttpAddress };
        using var doc = JsonDocument.Parse(await client.GetStringAsync($"v2/models/simple/versions/{version}/stats"));
        return doc.RootElement.GetProperty("model_stats").EnumerateArray()
            .Sum(s => s.GetProperty("inference_stats").GetProperty("success").GetProperty("count").GetInt64());
    }
}
