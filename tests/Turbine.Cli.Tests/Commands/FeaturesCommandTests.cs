using System.CommandLine;
using Turbine.Cli.Commands;

namespace Turbine.Cli.Tests.Commands;

/// <summary><c>turbine features …</c> end to end on a copy of samples/feature_repo, as docs/features.md walks through it.</summary>
public sealed class FeaturesCommandTests : IDisposable
{
    private readonly TempFolder _folder = new("turbine-features-cli");

    public FeaturesCommandTests()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Turbine.slnx")))
        {
            dir = dir.Parent;
        }

        var sample = Path.Combine(dir!.FullName, "samples", "feature_repo");
        Directory.CreateDirectory(Path.Combine(_folder.Path, "data"));
        foreach (var file in new[] { "feature_store.yaml", "entities.csv", "data/user_stats.csv", "data/merchant_risk.csv" })
        {
            File.Copy(Path.Combine(sample, file), _folder.File(file));
        }
    }

    public void Dispose() => _folder.Dispose();

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var root = new RootCommand { FeaturesCommand.Create() };
        var output = new StringWriter();
        var code = await root.Parse(["features", .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = output });
        return (code, output.ToString());
    }

    [Fact]
    public async Task WalkThrough_ApplyMaterializeHistoricalOnline()
    {
        var (code, output) = await RunAsync("apply", "--repo", _folder.Path);
        Assert.Equal(0, code);
        Assert.Contains("applied version 1", output, StringComparison.Ordinal);
        (code, output) = await RunAsync("apply", "--repo", _folder.Path);
        Assert.Contains("no changes (version 1)", output, StringComparison.Ordinal);

        (code, output) = await RunAsync("materialize", "2026-01-01T00:00:00Z", "2026-01-15T00:00:00Z", "--repo", _folder.Path);
        Assert.True(code == 0, output);
        Assert.Contains("user_stats: 2026-01-01T00:00:00.0000000Z .. 2026-01-15T00:00:00.0000000Z: 280 rows read, 280 in the window, 20 entities written", output, StringComparison.Ordinal);
        Assert.Contains("merchant_risk:", output, StringComparison.Ordinal);

        var train = _folder.File("train.parquet");
        (code, output) = await RunAsync("get-historical", "--repo", _folder.Path, "--entities", _folder.File("entities.csv"), "--feature-service", "fraud_v1", "-o", train);
        Assert.True(code == 0, output);
        Assert.Contains("10 rows, columns user_id, merchant_id, event_timestamp, amount, spend_7d, txn_count_7d, chargebacks_90d, risk_score, amount_vs_avg", output, StringComparison.Ordinal);
        Assert.True(new FileInfo(train).Length > 0);

        (code, output) = await RunAsync("get-online", "--repo", _folder.Path, "--features", "user_stats:txn_count_7d", "--entity", "user_id=1,999");
        Assert.True(code == 0, output);
        Assert.Contains("\"feature_names\"", output, StringComparison.Ordinal);
        Assert.Contains("\"NOT_FOUND\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_OneLineExitOne()
    {
        Assert.Equal(0, (await RunAsync("apply", "--repo", _folder.Path)).Code);
        File.WriteAllText(_folder.File("feature_store.yaml"), File.ReadAllText(_folder.File("feature_store.yaml")).Replace("name: chargebacks_90d\n        dtype: int32", "name: chargebacks_90d\n        dtype: string", StringComparison.Ordinal));
        var (code, output) = await RunAsync("apply", "--repo", _folder.Path);
        Assert.Equal(1, code);
        Assert.StartsWith("turbine: error: breaking change refused", output, StringComparison.Ordinal);
        Assert.Contains("feature 'chargebacks_90d' changed type int32 -> string", output, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("apply", "--repo", _folder.Path, "--force")).Code);

        (code, output) = await RunAsync("materialize", "yesterday", "2026-01-15T00:00:00Z", "--repo", _folder.Path);
        Assert.Equal(1, code);
        Assert.Contains("START 'yesterday': expected an ISO 8601 time", output, StringComparison.Ordinal);
        (code, output) = await RunAsync("get-online", "--repo", _folder.Path, "--features", "user_stats:nope", "--entity", "user_id=1");
        Assert.Equal(1, code);
        Assert.Contains("unknown feature 'user_stats:nope'", output, StringComparison.Ordinal);
    }
}
