using Turbine.Features.Definitions;
using Turbine.Features.Enrichment;
using Turbine.Features.Materialization;
using Turbine.Features.Online;
using Turbine.Features.Serving;

namespace Turbine.Features.Tests;

public sealed class EnrichmentTests
{
    [Fact]
    public async Task Build_TensorInOrder_DefaultsForMissing_ErrorWithoutDefault()
    {
        using var folder = RepoBuilder.Create();
        var repo = FeatureRepoLoader.Load(folder.Path);
        await using var store = new SqliteOnlineStore(repo.OnlineStore.Path!, repo.Project);
        await new Materializer(repo, store).MaterializeAsync(RepoBuilder.T0, RepoBuilder.T0.AddMinutes(720));
        var service = new OnlineFeatureService(repo, store, new FixedTime(RepoBuilder.T0.AddMinutes(700)));
        var spec = EnrichmentSpec.Parse("""
            feature_service: fraud_v1
            input: { name: INPUT0, datatype: FP32 }
            features:
              - { ref: "derived:amount_ratio" }
              - { ref: "user_stats:orders", default: -1 }
              - { ref: "user_stats:spend", default: 0.5 }
            """);
        var enricher = new FeatureEnricher(service, spec);
        var input = await enricher.BuildAsync(new Dictionary<string, IReadOnlyList<object?>> { ["user_id"] = [1L, 42L], ["amount"] = [44.0, 9.0] });
        Assert.Equal("INPUT0", input.Name);
        Assert.Equal([2L, 3L], input.Shape);
        Assert.Equal([2.0, 3.0, 21.0, 9.0, -1.0, 0.5], input.Values);

        var strict = new FeatureEnricher(service, spec with { Features = [new EnrichmentFeature("user_stats:spend", null)] });
        var e = await Assert.ThrowsAsync<FeatureRepoException>(() => strict.BuildAsync(new Dictionary<string, IReadOnlyList<object?>> { ["user_id"] = [42L], ["amount"] = [1.0] }));
        Assert.Contains("feature 'user_stats:spend' is NOT_FOUND for entity row 0 and has no default", e.Message, StringComparison.Ordinal);

        var bad = Assert.Throws<FeatureRepoException>(() => new FeatureEnricher(service, spec with { Features = [new EnrichmentFeature("user_stats:tierx", 0)] }));
        Assert.Contains("'user_stats:tierx' is not in feature service 'fraud_v1'", bad.Message, StringComparison.Ordinal);
    }
}
