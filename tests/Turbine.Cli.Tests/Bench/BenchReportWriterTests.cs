using System.Text.Json;
using Turbine.Cli.Bench;

namespace Turbine.Cli.Tests.Bench;

public sealed class BenchReportWriterTests
{
    private static BenchReport Report()
    {
        var server = new ServerBreakdown(300, 1.5, 4, 20, 3, 600, 300, 2, new SortedDictionary<long, long> { [1] = 100, [3] = 200 });
        LevelResult[] levels =
        [
            new(LoadMode.Concurrency, 1, 2, 2000, new LatencySummary(400, 500, 600, 700, 450, 300), 40, 30, 300, 0, 3, true, null, server),
            new(LoadMode.Concurrency, 2, 2, 3000, new LatencySummary(600, 700, 800, 900, 650, 450), null, null, 450, 2, 10, false, "unstable", null),
        ];
        return new BenchReport("simple", "http binary", levels, Interrupted: false, FirstError: null);
    }

    [Fact]
    public void Json_ArrayOfLevelObjects()
    {
        using var doc = JsonDocument.Parse(BenchReportWriter.Write(Report(), BenchReportWriter.Json));
        var levels = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, levels.Count);
        Assert.Equal(2000, levels[0].GetProperty("throughput_infer_per_sec").GetDouble());
        Assert.Equal(400, levels[0].GetProperty("latency_p50_us").GetDouble());
        Assert.Equal(40, levels[0].GetProperty("client_send_us").GetDouble());
        Assert.Equal(20, levels[0].GetProperty("server").GetProperty("compute_infer_us").GetDouble());
        Assert.Equal(200, levels[0].GetProperty("server").GetProperty("batch_sizes").GetProperty("3").GetInt64());
        Assert.Equal(JsonValueKind.Null, levels[1].GetProperty("client_send_us").ValueKind);
        Assert.Equal(JsonValueKind.Null, levels[1].GetProperty("server").ValueKind);
        Assert.Equal("unstable", levels[1].GetProperty("note").GetString());
        Assert.Equal(2, levels[1].GetProperty("errors").GetInt64());
    }

    [Fact]
    public void Csv_HeaderAndOneRowPerLevel_SameColumnCount()
    {
        var lines = BenchReportWriter.Write(Report(), BenchReportWriter.Csv).TrimEnd().Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        var header = lines[0].Split(',');
        Assert.All(lines, l => Assert.Equal(header.Length, l.Split(',').Length));
        var row = lines[1].Split(',');
        Assert.Equal("2000", row[Array.IndexOf(header, "throughput_infer_per_sec")]);
        Assert.Equal("1:100 3:200", row[Array.IndexOf(header, "server_batch_sizes")]);
        Assert.Equal("unstable", lines[2].Split(',')[Array.IndexOf(header, "note")]);
    }

    [Fact]
    public void Table_ShowsLevelsNotesAndNa()
    {
        var text = BenchReportWriter.Write(Report(), BenchReportWriter.Table);
        Assert.Contains("infer/s", text);
        Assert.Contains("2000.0", text);
        Assert.Contains("unstable", text);
        Assert.Contains("n/a", text);
        Assert.Contains("1:100 3:200", text);
    }
}
