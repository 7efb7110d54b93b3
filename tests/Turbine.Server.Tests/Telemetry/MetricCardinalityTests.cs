using Turbine.Server.Telemetry;
using Turbine.Server.Tests.Grpc;

namespace Turbine.Server.Tests.Telemetry;

/// <summary>
/// Requests naming unknown models or versions must not create metric series: the scrape stays bounded by the
/// repository's models and versions whatever names a client sends (issue 11, item 7).
/// </summary>
public sealed class MetricCardinalityTests
{
    [Fact]
    public async Task Metrics_TenThousandUnknownNames_SeriesAndScrapeSizeStayBounded()
    {
        await using var harness = await ServerHarness.StartAsync();
        using var grpc = new GrpcTestClient(harness.Server.GrpcAddress);

        // One of each kind first, so every fixed series the flood can touch exists before the baseline.
        await SendUnknownAsync(harness, grpc, 0);
        var before = await MetricsScrape.GetAsync(harness.Server);

        const int flood = 10_000;
        await Parallel.ForEachAsync(Enumerable.Range(1, flood), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => await SendUnknownAsync(harness, grpc, i));

        var after = await MetricsScrape.GetAsync(harness.Server);
        Assert.Equal(ModelLines(before), ModelLines(after));
        Assert.InRange(after.Text.Length, 0, before.Text.Length + 2048);
        Assert.DoesNotContain("nosuch-", after.Text);
        Assert.DoesNotContain("version=\"9", after.Text);

        // Every flooded request is still counted, under the fixed labels.
        var unknown = ("model", ServerMetrics.UnknownModelLabel);
        Assert.Equal(flood + 1, after.Sum("turbine_request_duration_seconds_count", unknown, ("protocol", "http")));
        Assert.Equal((flood / 10) + 1, after.Sum("turbine_request_duration_seconds_count", unknown, ("protocol", "grpc")));
        Assert.Equal(flood + 1, after.Sum("turbine_request_duration_seconds_count", ("model", "simple"), ("version", ""), ("outcome", "not_found")));

        // The server still serves, and a known model keeps its own labels.
        var (status, _) = await harness.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
        Assert.Equal(200, status);
        var last = await MetricsScrape.GetAsync(harness.Server);
        Assert.Equal(1, last.Sum("turbine_request_duration_seconds_count", ("model", "simple"), ("version", "1"), ("outcome", "success")));
    }

    /// <summary>An unknown model over REST, an unknown version of a known model, and every tenth an unknown model over gRPC.</summary>
    private static async Task SendUnknownAsync(ServerHarness harness, GrpcTestClient grpc, int i)
    {
        var (missing, _) = await harness.PostJsonAsync($"/v2/models/nosuch-{i}/infer", ServerHarness.SimpleJson());
        Assert.Equal(400, missing);
        var (badVersion, _) = await harness.PostJsonAsync($"/v2/models/simple/versions/{900_000 + i}/infer", ServerHarness.SimpleJson());
        Assert.Equal(404, badVersion);
        if (i % 10 == 0)
        {
            var request = GrpcTestClient.SimpleRaw();
            request.ModelName = $"nosuch-grpc-{i}";
            await Assert.ThrowsAsync<global::Grpc.Core.RpcException>(async () => await grpc.Client.ModelInferAsync(request));
        }
    }

    /// <summary>Sample lines that carry a model label.</summary>
    private static int ModelLines(MetricsScrape scrape) =>
        scrape.Text.Split('\n').Count(l => !l.StartsWith('#') && l.Contains("model=\"", StringComparison.Ordinal));
}
