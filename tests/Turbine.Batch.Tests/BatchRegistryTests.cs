namespace Turbine.Batch.Tests;

/// <summary><c>turbine batch run --model REF --registry URL</c>: the reference resolves as <c>turbine serve --registry</c> does.</summary>
public sealed class BatchRegistryTests(BatchFixture fixture) : IClassFixture<BatchFixture>
{
    [Fact]
    public async Task Run_RegistryReference_ScoresWithThePromotedVersion()
    {
        await using var registry = await RegistryHarness.StartAsync();
        using var folder = new TempFolder("turbine-batch-registry");
        var url = registry.Url.ToString();
        var push = await TurbineProcess.RunAsync("models", "push", Path.Combine(fixture.Repository, "simple"), "--name", "simple", "--registry", url);
        Assert.True(push.ExitCode == 0, push.Output);
        var promote = await TurbineProcess.RunAsync("models", "promote", "simple:1", "--stage", "Production", "--registry", url);
        Assert.True(promote.ExitCode == 0, promote.Output);
        var rows = TestData.SimpleRows(60, seed: 8);
        var input = folder.File("in.csv");
        TestData.WriteSimpleCsv(input, rows);

        var (code, log) = await TurbineProcess.RunAsync("batch", "run", "--model", "simple@production", "--registry", url,
            "--registry-cache", folder.File("cache"), "--input", input, "--output", folder.File("out.jsonl"), "--id-column", "id", "--progress", "none");

        Assert.True(code == 0, log);
        var written = TestData.ReadSimpleJsonLines(folder.File("out.jsonl"));
        Assert.Equal(60, written.Count);
        Assert.All(rows, r => Assert.Equal(r.A.Zip(r.B, (x, y) => x - y), written[r.Id].Difference));
    }
}
