using System.Text.Json;
using System.Text.RegularExpressions;

namespace Turbine.Batch.Tests.Control;

/// <summary><c>turbine control serve --batch-folder</c> and <c>turbine batch submit|status|cancel --control</c> as real processes.</summary>
public sealed partial class BatchCliControlTests(BatchFixture fixture) : IClassFixture<BatchFixture>
{
    [GeneratedRegex(@"turbine control ready: API on (\S+)")]
    private static partial Regex Ready();

    [Fact]
    public async Task BatchSubmitWait_AgainstTurbineControl_WritesTheOutputAndStatusShowsTheJob()
    {
        using var folder = new TempFolder("turbine-batch-cli-control");
        var batch = folder.File("batch");
        Directory.CreateDirectory(batch);
        TestData.WriteSimpleCsv(Path.Combine(batch, "in.csv"), TestData.SimpleRows(40, seed: 8));
        await using var control = TurbineProcess.Start(["control", "serve", "--dev", "--port", "0", "--data", folder.File("data"), "--no-dashboard",
            "--gateway-http-port", "0", "--gateway-grpc-port", "0", "--batch-folder", batch, "--batch-model-repository", fixture.Repository]);
        var url = (await control.WaitForLineAsync(Ready(), TimeSpan.FromSeconds(90))).Groups[1].Value;

        var (code, output) = await TurbineProcess.RunAsync("batch", "submit", "--control", url, "--model", "simple", "--input", "in.csv", "--output", "out.jsonl",
            "--id-column", "id", "--wait", "--output-format", "json");
        var (refusedCode, refused) = await TurbineProcess.RunAsync("batch", "submit", "--control", url, "--model", "simple", "--input", "/etc/passwd", "--output", "x.csv");
        var (statusCode, status) = await TurbineProcess.RunAsync("batch", "status", "--control", url);

        Assert.True(code == 0, output);
        var job = JsonDocument.Parse(output.Split('\n').Single(l => l.StartsWith('{'))).RootElement;
        Assert.Equal("completed", job.GetProperty("state").GetString());
        Assert.Equal(40, job.GetProperty("summary").GetProperty("rowsScored").GetInt32());
        Assert.Equal(40, File.ReadAllLines(Path.Combine(batch, "out.jsonl")).Length);
        Assert.Equal(1, refusedCode);
        Assert.Contains("outside the batch folder", refused, StringComparison.Ordinal);
        Assert.Equal(0, statusCode);
        Assert.Contains($"{job.GetProperty("id").GetString()}  completed", status, StringComparison.Ordinal);
        var (cancelCode, cancel) = await TurbineProcess.RunAsync("batch", "cancel", "--control", url, job.GetProperty("id").GetString()!);
        Assert.Equal((0, $"{job.GetProperty("id").GetString()} forgotten"), (cancelCode, cancel.Trim()));
    }
}
