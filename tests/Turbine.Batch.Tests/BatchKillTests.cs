using System.Text.Json;

namespace Turbine.Batch.Tests;

/// <summary>The real <c>turbine batch run</c> killed with SIGKILL at seeded points, then resumed: every row exactly once.</summary>
public sealed class BatchKillTests(BatchFixture fixture) : IClassFixture<BatchFixture>
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Run_KilledAtARandomPointThenResumed_WritesEveryRowExactlyOnce(int seed)
    {
        using var folder = new TempFolder("turbine-batch-kill");
        // 400 parts of 50 rows: enough that the run is still going when the seeded kill comes, even on an idle machine
        // where `simple` scores thousands of rows a second.
        var rows = TestData.SimpleRows(20_000, seed);
        var input = folder.File("in.csv");
        TestData.WriteSimpleCsv(input, rows);
        var output = folder.File("out.jsonl");
        var manifest = Path.Combine(output + ".parts", "manifest-00000-of-00001.json");
        var random = new Random(seed);
        var killAfterParts = random.Next(1, 40);
        string[] args = ["batch", "run", "--model", "simple", "--model-repository", fixture.Repository, "--input", input, "--output", output,
            "--id-column", "id", "--part-rows", "50", "--batch-size", "4", "--progress", "none"];

        var killed = false;
        await using (var first = TurbineProcess.StartInterruptible(args))
        {
            // Kill once the seeded number of parts is committed (polling the manifest), plus a seeded few milliseconds
            // so the kill also lands inside a part's writes rather than only between parts.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (first.IsRunning && CommittedParts(manifest) < killAfterParts && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }

            await Task.Delay(random.Next(0, 15));
            if (first.IsRunning)
            {
                first.Kill();
                killed = true;
            }
        }

        var (code, log) = await TurbineProcess.RunAsync([.. args, "--resume", "--output-format", "json"]);

        Assert.True(code == 0, log);
        Assert.True(killed, "the first run finished before the kill");
        var summary = JsonDocument.Parse(log.Split('\n').Single(l => l.StartsWith('{'))).RootElement;
        Assert.True(summary.GetProperty("parts_skipped").GetInt32() >= killAfterParts, log);
        Assert.True(summary.GetProperty("parts_committed").GetInt32() > 0, log);
        Assert.Equal(rows.Count / 50, summary.GetProperty("parts_skipped").GetInt32() + summary.GetProperty("parts_committed").GetInt32());
        var written = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(rows.Select(r => r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), written.Select(w => w.GetProperty("id").GetString()));
        foreach (var (row, (_, a, b)) in written.Zip(rows))
        {
            Assert.Equal(a.Zip(b, (x, y) => x + y), row.GetProperty("OUTPUT0").EnumerateArray().Select(e => e.GetInt32()));
        }
    }

    [Fact]
    public async Task Run_Interrupted_StopsAtAPartBoundaryWithExitCode130AndResumes()
    {
        using var folder = new TempFolder("turbine-batch-int");
        var rows = TestData.SimpleRows(20_000, seed: 4);
        var input = folder.File("in.csv");
        TestData.WriteSimpleCsv(input, rows);
        var output = folder.File("out.csv");
        var manifest = Path.Combine(output + ".parts", "manifest-00000-of-00001.json");
        string[] args = ["batch", "run", "--model", "simple", "--model-repository", fixture.Repository, "--input", input, "--output", output,
            "--id-column", "id", "--part-rows", "50", "--batch-size", "2", "--progress", "none", "--output-format", "json"];

        int code;
        string log;
        await using (var first = TurbineProcess.StartInterruptible(args))
        {
            await Poll.UntilAsync(() => CommittedParts(manifest) >= 1 || !first.IsRunning, TimeSpan.FromSeconds(60));
            first.Interrupt();

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            code = await first.WaitForExitAsync(timeout.Token);
            log = first.Output;
        }

        Assert.True(code == 130, log);
        var summary = JsonDocument.Parse(log.Split('\n').Single(l => l.StartsWith('{'))).RootElement;
        Assert.Equal("stopped", summary.GetProperty("status").GetString());
        Assert.Equal(summary.GetProperty("parts_committed").GetInt32(), CommittedParts(manifest));
        Assert.False(File.Exists(output));
        var (resumed, resumeLog) = await TurbineProcess.RunAsync([.. args, "--resume"]);
        Assert.True(resumed == 0, resumeLog);
        Assert.Equal(rows.Count + 1, File.ReadAllLines(output).Length);
    }

    private static int CommittedParts(string manifest)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(manifest));
            return document.RootElement.GetProperty("parts").EnumerateObject().Count();
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
