using System.Text.Json;
using Turbine.Cli.Bench;

namespace Turbine.Cli.Tests.Bench;

public sealed class ServerStatsSnapshotTests
{
    private static string Stats(string name, string version, long success, long queueNs, long inferNs, long inferences, long executions, string batches) =>
        $$$"""
        {"name":"{{{name}}}","version":"{{{version}}}","inference_count":{{{inferences}}},"execution_count":{{{executions}}},
         "inference_stats":{"success":{"count":{{{success}}},"ns":1},"queue":{"count":{{{success}}},"ns":{{{queueNs}}}},
           "compute_input":{"count":{{{success}}},"ns":{{{success * 1000}}}},"compute_infer":{"count":{{{success}}},"ns":{{{inferNs}}}},
           "compute_output":{"count":{{{success}}},"ns":{{{success * 2000}}}}},
         "batch_stats":[{{{batches}}}]}
        """;

    private static ServerStatsSnapshot Parse(string modelStats, string model = "simple", string? version = null)
    {
        using var doc = JsonDocument.Parse($"{{\"model_stats\":[{modelStats}]}}");
        return ServerStatsSnapshot.Parse(doc.RootElement, model, version)!;
    }

    [Fact]
    public void Since_DiffsCountersIntoPerRequestMicroseconds()
    {
        var before = Parse(Stats("simple", "1", 10, 50_000, 100_000, 12, 10,
            """{"batch_size":1,"compute_infer":{"count":8,"ns":1}},{"batch_size":2,"compute_infer":{"count":2,"ns":1}}"""));
        var after = Parse(Stats("simple", "1", 110, 250_000, 2_100_000, 212, 110,
            """{"batch_size":1,"compute_infer":{"count":28,"ns":1}},{"batch_size":2,"compute_infer":{"count":82,"ns":1}},{"batch_size":4,"compute_infer":{"count":0,"ns":0}}"""));
        var d = after.Since(before);
        Assert.Equal(100, d.Requests);
        Assert.Equal(2.0, d.QueueUs, 6);
        Assert.Equal(1.0, d.ComputeInputUs, 6);
        Assert.Equal(20.0, d.ComputeInferUs, 6);
        Assert.Equal(2.0, d.ComputeOutputUs, 6);
        Assert.Equal(200, d.InferenceCount);
        Assert.Equal(100, d.ExecutionCount);
        Assert.Equal(2.0, d.AverageBatchSize, 6);
        Assert.Equal(new Dictionary<long, long> { [1] = 20, [2] = 80 }, d.BatchSizes);
    }

    [Fact]
    public void Parse_SumsVersionsUnlessOneIsChosen()
    {
        var both = Stats("simple", "1", 10, 0, 0, 10, 10, "") + "," + Stats("simple", "2", 5, 0, 0, 5, 5, "") + "," + Stats("other", "1", 99, 0, 0, 99, 99, "");
        Assert.Equal(15, Parse(both).SuccessCount);
        Assert.Equal(5, Parse(both, version: "2").SuccessCount);
    }

    [Fact]
    public void Parse_StringNumbersAsProtobufJsonWritesThem()
    {
        var snapshot = Parse("""{"name":"simple","version":"1","inference_count":"7","execution_count":"7","inference_stats":{"success":{"count":"7","ns":"9"}}}""");
        Assert.Equal(7, snapshot.SuccessCount);
        Assert.Equal(7, snapshot.InferenceCount);
    }

    [Fact]
    public void Parse_ModelAbsent_Null()
    {
        using var doc = JsonDocument.Parse("{\"model_stats\":[]}");
        Assert.Null(ServerStatsSnapshot.Parse(doc.RootElement, "simple", null));
    }

    [Fact]
    public void Since_NoRequests_ZeroNotNaN()
    {
        var s = Parse(Stats("simple", "1", 10, 5, 5, 10, 10, ""));
        var d = s.Since(s);
        Assert.Equal(0, d.QueueUs);
        Assert.Equal(0, d.AverageBatchSize);
        Assert.Empty(d.BatchSizes);
    }
}
