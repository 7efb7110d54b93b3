using System.Text.Json;
using Turbine.Cli.Commands;
using Turbine.Core.Payloads;

namespace Turbine.Cli.Tests.Commands;

public sealed class LogsCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "turbine-logs-" + Guid.NewGuid().ToString("N"));

    public LogsCommandTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllLines(Path.Combine(_dir, "payload-20260101T000000000Z-000000.jsonl"),
        [
            Line("a-1", "alpha", "2026-01-01T00:00:01Z"),
            Line("b-1", "beta", "2026-01-01T00:00:02Z"),
        ]);
        File.WriteAllLines(Path.Combine(_dir, "payload-20260101T010000000Z-000001.jsonl"),
        [
            Line("a-2", "alpha", "2026-01-01T01:00:01Z"),
            "not json",
            Line("b-2", "beta", "2026-01-01T01:00:02Z"),
        ]);
        File.WriteAllText(Path.Combine(_dir, "other.txt"), Line("x", "alpha", "2026-01-01T00:00:00Z"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Line(string id, string model, string start) =>
        $"{{\"id\":\"{id}\",\"model\":\"{model}\",\"version\":\"1\",\"start\":\"{start}\",\"status\":\"ok\"}}";

    private List<string?> Query(PayloadLogFilter filter, int? n = null)
    {
        var output = new StringWriter();
        LogsCommand.Query(_dir, filter, n, output);
        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()).ToList();
    }

    [Fact]
    public void Query_ByModel_PrintsThatModelsRecordsOldestFirst() =>
        Assert.Equal(["a-1", "a-2"], Query(new PayloadLogFilter(Model: "alpha")));

    [Fact]
    public void Query_ById_PrintsOnlyThatRecord() =>
        Assert.Equal(["b-2"], Query(new PayloadLogFilter(Id: "b-2")));

    [Fact]
    public void Query_SinceUntilAndN_PrintsLastNInWindow() =>
        Assert.Equal(["a-2"], Query(new PayloadLogFilter(
            Since: DateTimeOffset.Parse("2026-01-01T00:00:02Z", System.Globalization.CultureInfo.InvariantCulture),
            Until: DateTimeOffset.Parse("2026-01-01T01:00:01Z", System.Globalization.CultureInfo.InvariantCulture)), n: 1));

    [Fact]
    public async Task TailAsync_NewLinesAndNewFile_ArePrintedUntilCancelled()
    {
        var output = new StringWriter();
        using var cts = new CancellationTokenSource();
        var tail = LogsCommand.TailAsync(_dir, new PayloadLogFilter(Model: "beta"), 1, output, TimeSpan.FromMilliseconds(20), cts.Token);
        File.AppendAllText(Path.Combine(_dir, "payload-20260101T010000000Z-000001.jsonl"), Line("b-3", "beta", "2026-01-01T01:00:03Z") + "\n");
        File.WriteAllText(Path.Combine(_dir, "payload-20260101T020000000Z-000002.jsonl"),
            Line("a-4", "alpha", "2026-01-01T02:00:00Z") + "\n" + Line("b-4", "beta", "2026-01-01T02:00:01Z") + "\n");

        await Poll.UntilAsync(() => output.ToString().Contains("b-4", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tail);
        var ids = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString());
        Assert.Equal(["b-2", "b-3", "b-4"], ids);
    }

    private async Task<(int Code, string Output, string Error)> InvokeAsync(params string[] args)
    {
        var root = new System.CommandLine.RootCommand { LogsCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await root.Parse(["payload-logs", "query", "--dir", _dir, .. args]).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task QueryCommand_IdWithNoMatch_SaysSoOnStderrAndExitsOne()
    {
        var (code, output, error) = await InvokeAsync("--id", "nosuch");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal($"turbine: no payload-log record in '{_dir}' matches id 'nosuch'", error.Trim());
    }

    [Fact]
    public async Task QueryCommand_IdWithMatch_PrintsItAndExitsZero()
    {
        var (code, output, error) = await InvokeAsync("--id", "a-2");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Equal("a-2", JsonDocument.Parse(output).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public void ListFiles_IgnoresOtherFiles() =>
        Assert.Equal(2, FilePayloadSink.ListFiles(_dir).Length);
}
