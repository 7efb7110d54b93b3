using Turbine.Features.Definitions;

namespace Turbine.Features.Tests;

public sealed class DefinitionsTests
{
    [Fact]
    public void Load_ValidRepo_ResolvesObjects()
    {
        using var folder = RepoBuilder.Create();
        var repo = FeatureRepoLoader.Load(folder.Path);
        Assert.Equal("shop", repo.Project);
        Assert.Equal(TimeSpan.FromHours(2), repo.FeatureViews["user_stats"].Ttl);
        Assert.Equal(["spend", "orders", "tier"], repo.FeatureViews["user_stats"].Features.Select(f => f.Name));
        Assert.Equal(FeatureType.Int64, repo.Entities["user"].Type);
        Assert.EndsWith(Path.Combine("data", "online.db"), repo.OnlineStore.Path, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ttl: 2h", "ttl: 2 hours", "ttl '2 hours'")]
    [InlineData("dtype: int64", "dtype: int65", "dtype 'int65'")]
    [InlineData("path: data/user_stats.parquet", "path: ../../etc/passwd", "leaves the repository folder")]
    [InlineData("source: user_stats_source", "source: nope", "source 'nope' is not defined")]
    [InlineData("coalesce(user_stats.spend, 0)", "coalesce(user_stats.nope, 0)", "has no feature 'nope'")]
    [InlineData("amount / (", "amount // (", "unexpected '/'")]
    [InlineData("entities: [user]", "entities: [user]\n    colour: blue", "colour")]
    [InlineData("\"derived:amount_ratio\"", "\"derived:nope\"", "unknown feature 'derived:nope'")]
    public void Load_BadDefinition_NamesTheProblem(string from, string to, string expected)
    {
        Assert.Contains(from, RepoBuilder.Yaml, StringComparison.Ordinal);
        using var folder = RepoBuilder.Create(RepoBuilder.Yaml.Replace(from, to, StringComparison.Ordinal));
        var e = Assert.Throws<FeatureRepoException>(() => FeatureRepoLoader.Load(folder.Path));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_VersionsAndRefusesBreakingChangeUnlessForced()
    {
        using var folder = RepoBuilder.Create();
        var first = FeatureRegistry.Apply(FeatureRepoLoader.Load(folder.Path), force: false);
        Assert.Equal(1, first.Version);
        var again = FeatureRegistry.Apply(FeatureRepoLoader.Load(folder.Path), force: false);
        Assert.Equal(1, again.Version);
        Assert.Empty(again.Changes);

        // Adding a feature is not breaking: a new version.
        File.WriteAllText(folder.File("feature_store.yaml"), RepoBuilder.Yaml.Replace("      - name: tier\n        dtype: string", "      - name: tier\n        dtype: string\n      - name: extra\n        dtype: int32", StringComparison.Ordinal));
        var added = FeatureRegistry.Apply(FeatureRepoLoader.Load(folder.Path), force: false);
        Assert.Equal(2, added.Version);
        Assert.Contains("feature view 'user_stats' changed", added.Changes);
        Assert.Equal(2, FeatureRegistry.Read(FeatureRepoLoader.Load(folder.Path))!["feature_views"]!["user_stats"]!["version"]!.GetValue<int>());

        // Changing a type is breaking: refused, registry unchanged; forced, registered.
        File.WriteAllText(folder.File("feature_store.yaml"), RepoBuilder.Yaml.Replace("name: orders\n        dtype: int64", "name: orders\n        dtype: float64", StringComparison.Ordinal));
        var changed = FeatureRepoLoader.Load(folder.Path);
        var e = Assert.Throws<FeatureRepoException>(() => FeatureRegistry.Apply(changed, force: false));
        Assert.Contains("feature 'orders' changed type int64 -> float64", e.Message, StringComparison.Ordinal);
        Assert.Contains("feature 'extra' removed", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, FeatureRegistry.Read(changed)!["version"]!.GetValue<int>());
        var forced = FeatureRegistry.Apply(changed, force: true);
        Assert.True(forced.Forced);
        Assert.Equal(3, forced.Version);
        Assert.True(File.Exists(folder.File(".turbine/history/v3.json")));
    }
}
