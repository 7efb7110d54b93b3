using System.Net;
using System.Text.Json;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Tests.TestSupport;
using Turbine.Samples;

namespace Turbine.Gateway.Tests.Security;

/// <summary>Answers listing every model are cut down to the models the caller may see (issue 11, item 10).</summary>
public sealed class MetadataFilterTests
{
    private static async Task<GatewayHarness> StartAsync()
    {
        var h = await GatewayHarness.StartServersAsync(1, prepareRepository: (_, repo) => SampleRepository.CreateModel(repo, "iris"));
        await h.StartGatewayAsync($$"""
            pools:
              main:
                replicas: [{{h.Replica(0)}}]
            models:
              "*": {pool: main}
            auth:
              apiKeys:
                - id: iris-only
                  hash: {{ApiKeyHasher.Hash("iris-secret")}}
                  models: [iris]
                - id: ops
                  hash: {{ApiKeyHasher.Hash("ops-secret")}}
                  roles: [admin]
              anonymous:
                models: [iris]
                operations: [metadata]
            """);
        return h;
    }

    [Theory]
    [InlineData("iris-secret")]
    [InlineData(null)]
    public async Task Rest_StatsAndIndex_OnlyVisibleModels(string? key)
    {
        await using var h = await StartAsync();
        if (key is not null)
        {
            h.Http.DefaultRequestHeaders.Add("x-api-key", key);
        }

        using var stats = JsonDocument.Parse(await h.Http.GetStringAsync("v2/models/stats"));
        using var indexResponse = await h.Http.PostAsync("v2/repository/index", new StringContent("{}"));
        using var index = JsonDocument.Parse(await indexResponse.Content.ReadAsStringAsync());

        Assert.Equal(["iris"], stats.RootElement.GetProperty("model_stats").EnumerateArray().Select(e => e.GetProperty("name").GetString()).Distinct());
        Assert.Equal(HttpStatusCode.OK, indexResponse.StatusCode);
        Assert.Equal(["iris"], index.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).Distinct());
        Assert.Equal(HttpStatusCode.OK, (await h.Http.GetAsync("v2/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Rest_Admin_SeesEveryModel()
    {
        await using var h = await StartAsync();
        h.Http.DefaultRequestHeaders.Add("x-api-key", "ops-secret");

        using var index = JsonDocument.Parse(await (await h.Http.PostAsync("v2/repository/index", new StringContent("{}"))).Content.ReadAsStringAsync());

        Assert.Equal(["iris", "simple"], index.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).Distinct().Order());
    }

    [Fact]
    public async Task Grpc_StatisticsAndIndex_OnlyVisibleModels()
    {
        await using var h = await StartAsync();
        using var grpc = GrpcClients.Create(h.Gateway!.GrpcAddress, new Dictionary<string, string> { ["x-api-key"] = "iris-secret" });

        using var stats = await grpc.GetModelStatisticsAsync();
        var index = await grpc.GetRepositoryIndexAsync();

        Assert.Contains("iris", stats.RootElement.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("simple", stats.RootElement.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(["iris"], index.Select(m => m.Name).Distinct());
        using var one = await grpc.GetModelStatisticsAsync("iris");
        Assert.Contains("iris", one.RootElement.GetRawText(), StringComparison.Ordinal);
    }
}
