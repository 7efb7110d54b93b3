using Turbine.Core.Memory;
using Turbine.Server.Tests.Telemetry;

namespace Turbine.Server.Tests.Memory;

/// <summary>The measured footprint of loaded versions (no budget), and how a budget is written.</summary>
public sealed class MemoryFootprintTests
{
    [Fact]
    public async Task LoadedVersions_HaveMeasuredFootprint_InServingVersionsIndexAndMetrics()
    {
        await using var h = await ServerHarness.StartAsync(prepare: root =>
        {
            AddModels.RemoveOthers(root);
            AddModels.Create(root, 1, declaredBytes: 0);
        });
        var serving = Assert.Single(h.Server.Engine.GetServingVersions());
        var file = new FileInfo(Path.Combine(h.Repository, AddModels.Name(1), "1", "model.onnx"));
        Assert.Equal(file.Length, serving.Footprint.WeightBytes);
        Assert.Equal(0, serving.Footprint.DeclaredBytes);
        Assert.True(serving.Footprint.AccountedBytes >= Math.Max(file.Length, serving.Footprint.ResidentBytes));
        Assert.Equal(Math.Max(0, serving.Footprint.ResidentBytes - serving.Footprint.ManagedBytes), serving.Footprint.NativeBytes);

        var (_, index) = await h.PostJsonAsync("/v2/repository/index", "{\"ready\":true}");
        var row = Assert.Single(index.EnumerateArray());
        Assert.Equal(serving.Footprint.AccountedBytes, row.GetProperty("memory_bytes").GetInt64());
        Assert.Equal("recently used", row.GetProperty("resident").GetString());

        var scrape = await MetricsScrape.GetAsync(h.Server);
        Assert.Equal(serving.Footprint.AccountedBytes, scrape.Sum("turbine_model_memory_bytes", ("model", AddModels.Name(1)), ("version", "1")));
        Assert.True(scrape.Has("turbine_model_memory_native_bytes", ("model", AddModels.Name(1))));
        Assert.False(scrape.Has("turbine_model_memory_budget_bytes")); // no budget, no budget series
    }

    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("512Mi", 512L << 20)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1.5G", 1_500_000_000L)]
    [InlineData(" 64 k ", 64_000L)]
    [InlineData("0", 0L)]
    public void TryParse_ByteSizes(string text, long expected)
    {
        Assert.Equal(expected, MemoryBudgetSetting.TryParse(text, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("12 parsecs")]
    [InlineData("-5")]
    [InlineData("99999999999T")]
    public void TryParse_NotASize_NamesTheProblem(string text)
    {
        Assert.Null(MemoryBudgetSetting.TryParse(text, out var problem));
        Assert.Contains("is not a byte size", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void RepositoryDefault_ReadFromFile_CommentsIgnored_BadFileNamed()
    {
        using var folder = new TempFolder();
        Assert.Null(MemoryBudgetSetting.ReadRepositoryDefault(folder.Path));
        var path = Path.Combine(folder.Path, MemoryBudgetSetting.FileName);
        File.WriteAllText(path, "# budget for this repository\n4Gi\n");
        Assert.Equal(4L << 30, MemoryBudgetSetting.ReadRepositoryDefault(folder.Path));
        File.WriteAllText(path, "plenty\n");
        var e = Assert.Throws<InvalidOperationException>(() => MemoryBudgetSetting.ReadRepositoryDefault(folder.Path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        File.Delete(path);
        File.CreateSymbolicLink(path, "/etc/hostname");
        e = Assert.Throws<InvalidOperationException>(() => MemoryBudgetSetting.ReadRepositoryDefault(folder.Path));
        Assert.Contains("regular file", e.Message, StringComparison.Ordinal);

        // A FIFO passes FileInfo's checks and reading it would wait for a writer forever: refused from lstat.
        File.Delete(path);
        using (var mkfifo = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!)
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        e = Assert.Throws<InvalidOperationException>(() => MemoryBudgetSetting.ReadRepositoryDefault(folder.Path));
        Assert.Contains("regular file", e.Message, StringComparison.Ordinal);
    }
}
