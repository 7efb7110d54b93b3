using System.Net;
using System.Text.Json;

namespace Turbine.Registry.Tests;

public abstract partial class RegistryServerTests
{
    [Fact]
    public async Task SearchModels_Filters_MatchingModelsOnly()
    {
        await using var registry = await StartAsync();
        await SeedSearchAsync(registry);
        var cases = new (string Query, string Expected)[]
        {
            ("tag=team%3Drisk", "fraud-a,fraud-b"),
            ("tag=team%3Drisk&tag=tier%3Dgold", "fraud-b"),
            ("metric=auc%3E%3D0.9", "fraud-b,vision"),
            ("metric=auc%3C0.9", "fraud-a,fraud-b"),
            ("metric=auc%3C0.86", "fraud-a"),
            ("stage=Production", "vision"),
            ("stage=production&tag=team%3Drisk", ""),
            ("dataset=s3%3A%2F%2Fdata%2Ftransactions-2026", "fraud-a,fraud-b"),
            ("q=FRAUD", "fraud-a,fraud-b"),
            ("q=imag", "vision"),
            ("tag=team%3Drisk&metric=auc%3E0.95", ""),
            ("", "fraud-a,fraud-b,vision"),
        };

        foreach (var (query, expected) in cases)
        {
            var found = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, $"api/v1/models?{query}", null, HttpStatusCode.OK);
            Assert.True(expected == string.Join(',', found.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString())),
                $"?{query}: expected [{expected}], got {found}");
        }
    }

    [Theory]
    [InlineData("stage=Live", "invalid_stage")]
    [InlineData("metric=auc~0.9", "invalid_filter")]
    [InlineData("tag=novalue", "invalid_filter")]
    public async Task SearchModels_BadFilter_400(string query, string code)
    {
        await using var registry = await StartAsync();

        var (status, body) = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Get, $"api/v1/models?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(code, body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Lineage_ByDatasetCommitAndRun_TheVersionsTrainedOnIt()
    {
        await using var registry = await StartAsync();
        await SeedSearchAsync(registry);

        var byDataset = await LineageAsync(registry, "datasetUri=s3%3A%2F%2Fdata%2Ftransactions-2026");
        var byDigest = await LineageAsync(registry, "datasetDigest=sha256%3Aimages");
        var byCommit = await LineageAsync(registry, "codeCommit=abc123");
        var byRun = await LineageAsync(registry, "runId=run-2");
        var none = await LineageAsync(registry, "runId=run-404");

        Assert.Equal(["fraud-a:1", "fraud-b:1", "fraud-b:2"], byDataset);
        Assert.Equal(["vision:1"], byDigest);
        Assert.Equal(["fraud-a:1", "fraud-b:2"], byCommit);
        Assert.Equal(["fraud-b:1"], byRun);
        Assert.Empty(none);
        var ambiguous = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Get, "api/v1/lineage?runId=a&codeCommit=b");
        Assert.Equal(HttpStatusCode.BadRequest, ambiguous.Status);
    }

    [Fact]
    public async Task VersionLineage_ParentChain_AncestorsAndDescendants()
    {
        await using var registry = await StartAsync();
        await PushVersionsAsync(registry, "family", 5, i => new
        {
            artifact = new { sha256 = RegistryHarness.Sha256(SimpleOnnx) },
            lineage = new { parentVersion = i switch { 2 => 1, 3 => 2, 4 => 1, _ => (long?)null } },
        });

        var lineage = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/family/versions/2/lineage", null, HttpStatusCode.OK);

        Assert.Equal(2, lineage.GetProperty("version").GetProperty("version").GetInt64());
        Assert.Equal([1L], lineage.GetProperty("ancestors").EnumerateArray().Select(v => v.GetProperty("version").GetInt64()));
        Assert.Equal([3L], lineage.GetProperty("descendants").EnumerateArray().Select(v => v.GetProperty("version").GetInt64()));
        var root = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/family/versions/1/lineage", null, HttpStatusCode.OK);
        Assert.Equal([2L, 3L, 4L], root.GetProperty("descendants").EnumerateArray().Select(v => v.GetProperty("version").GetInt64()));
        var badParent = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Post, "api/v1/models/family/versions",
            new { artifact = new { sha256 = RegistryHarness.Sha256(SimpleOnnx) }, lineage = new { parentVersion = 42 } });
        Assert.Equal(HttpStatusCode.BadRequest, badParent.Status);
        Assert.Equal("invalid_lineage", badParent.Body.GetProperty("code").GetString());
        var after = await RegistryHarness.PushAsync(registry.Admin, "family", RegistryHarness.Sha256(SimpleOnnx));
        Assert.Equal(6, after.GetProperty("version").GetInt64());
    }

    /// <summary>fraud-a (v1 auc 0.85), fraud-b (v1 0.88, v2 0.92, gold), vision (v1 0.95, Production).</summary>
    private async Task SeedSearchAsync(RegistryHarness registry)
    {
        var admin = registry.Admin;
        var sha = await RegistryHarness.UploadAsync(admin, SimpleOnnx);
        await RegistryHarness.CreateModelAsync(admin, "fraud-a", new { name = "fraud-a", description = "Fraud scoring", tags = new { team = "risk" } });
        await RegistryHarness.CreateModelAsync(admin, "fraud-b", new { name = "fraud-b", description = "fraud, second try", tags = new { team = "risk", tier = "gold" } });
        await RegistryHarness.CreateModelAsync(admin, "vision", new { name = "vision", description = "images", tags = new { team = "cv" } });
        const string transactions = "s3://data/transactions-2026";
        await RegistryHarness.PushAsync(admin, "fraud-a", sha, new { artifact = new { sha256 = sha }, metrics = new { auc = 0.85 }, lineage = new { datasetUri = transactions, codeCommit = "abc123", runId = "run-1" } });
        await RegistryHarness.PushAsync(admin, "fraud-b", sha, new { artifact = new { sha256 = sha }, metrics = new { auc = 0.88 }, lineage = new { datasetUri = transactions, codeCommit = "def456", runId = "run-2" } });
        await RegistryHarness.PushAsync(admin, "fraud-b", sha, new { artifact = new { sha256 = sha }, metrics = new { auc = 0.92 }, lineage = new { datasetUri = transactions, codeCommit = "abc123", runId = "run-3", parentVersion = 1 } });
        await RegistryHarness.PushAsync(admin, "vision", sha, new { artifact = new { sha256 = sha }, metrics = new { auc = 0.95 }, lineage = new { datasetUri = "s3://data/images", datasetDigest = "sha256:images" } });
        await RegistryHarness.SendAsync(admin, HttpMethod.Post, "api/v1/models/vision/versions/1/stage", new { stage = "Production" }, HttpStatusCode.OK);
    }

    private static async Task<string[]> LineageAsync(RegistryHarness registry, string query)
    {
        var found = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, $"api/v1/lineage?{query}", null, HttpStatusCode.OK);
        return found.GetProperty("versions").EnumerateArray().Select(v => $"{v.GetProperty("model").GetString()}:{v.GetProperty("version").GetInt64()}").ToArray();
    }
}
