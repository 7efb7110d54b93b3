using System.Net;
using System.Text.Json;

namespace Turbine.Registry.Tests;

public abstract partial class RegistryServerTests
{
    [Fact]
    public async Task SetStage_ArchiveExisting_PreviousProductionVersionArchived()
    {
        await using var registry = await StartAsync();
        await PushVersionsAsync(registry, "promo", 3);
        await SetStageAsync(registry, "promo", 1, "Production", archiveExisting: false);

        var promoted = await SetStageAsync(registry, "promo", 2, "production", archiveExisting: true);

        Assert.Equal("Production", promoted.GetProperty("stage").GetString());
        Assert.Equal(["Archived", "Production", "None"], await StagesAsync(registry, "promo"));
        var model = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/promo", null, HttpStatusCode.OK);
        Assert.Equal(2, model.GetProperty("stages").GetProperty("Production").GetInt64());
        Assert.Equal(1, model.GetProperty("stages").GetProperty("Archived").GetInt64());
    }

    [Fact]
    public async Task SetStage_WithoutArchiveExisting_BothVersionsStayInStage()
    {
        await using var registry = await StartAsync();
        await PushVersionsAsync(registry, "twostaging", 2);
        await SetStageAsync(registry, "twostaging", 1, "Staging", archiveExisting: false);

        await SetStageAsync(registry, "twostaging", 2, "Staging", archiveExisting: false);

        Assert.Equal(["Staging", "Staging"], await StagesAsync(registry, "twostaging"));
        var staging = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/twostaging/versions?stage=staging", null, HttpStatusCode.OK);
        Assert.Equal(2, staging.GetProperty("versions").GetArrayLength());
    }

    [Fact]
    public async Task Aliases_SetMoveDelete_VersionAndModelShowThem()
    {
        await using var registry = await StartAsync();
        await PushVersionsAsync(registry, "aliased", 3);

        var set = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Put, "api/v1/models/aliased/aliases/champion", new { version = 1 }, HttpStatusCode.OK);
        await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Put, "api/v1/models/aliased/aliases/challenger", new { version = 3 }, HttpStatusCode.OK);
        await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Put, "api/v1/models/aliased/aliases/champion", new { version = 2 }, HttpStatusCode.OK);

        Assert.Equal("champion", set.GetProperty("alias").GetString());
        var model = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/aliased", null, HttpStatusCode.OK);
        Assert.Equal(2, model.GetProperty("aliases").GetProperty("champion").GetInt64());
        Assert.Equal(3, model.GetProperty("aliases").GetProperty("challenger").GetInt64());
        var v2 = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/aliased/versions/2", null, HttpStatusCode.OK);
        Assert.Equal(["champion"], v2.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));

        using (var deleted = await registry.Admin.DeleteAsync("api/v1/models/aliased/aliases/challenger"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var gone = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Get, "api/v1/resolve/aliased@challenger");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        var missingVersion = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Put, "api/v1/models/aliased/aliases/champion", new { version = 9 });
        Assert.Equal(HttpStatusCode.NotFound, missingVersion.Status);
        var stageName = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Put, "api/v1/models/aliased/aliases/production", new { version = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, stageName.Status);
    }

    [Theory]
    [InlineData("refs:3", 3)]
    [InlineData("refs@champion", 2)]
    [InlineData("refs@production", 4)]
    [InlineData("refs@Staging", 1)]
    [InlineData("refs", 5)]
    public async Task Resolve_Reference_TheRightVersion(string reference, long expected)
    {
        await using var registry = await StartAsync();
        await PushVersionsAsync(registry, "refs", 5);
        await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Put, "api/v1/models/refs/aliases/champion", new { version = 2 }, HttpStatusCode.OK);
        await SetStageAsync(registry, "refs", 3, "Production", archiveExisting: false);
        await SetStageAsync(registry, "refs", 4, "Production", archiveExisting: false);
        await SetStageAsync(registry, "refs", 1, "Staging", archiveExisting: false);

        var version = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, $"api/v1/resolve/{Uri.EscapeDataString(reference)}", null, HttpStatusCode.OK);

        Assert.Equal("refs", version.GetProperty("model").GetString());
        Assert.Equal(expected, version.GetProperty("version").GetInt64());
    }

    [Theory]
    [InlineData("refs:9", HttpStatusCode.NotFound)]
    [InlineData("refs@archived", HttpStatusCode.NotFound)]
    [InlineData("nope:1", HttpStatusCode.NotFound)]
    [InlineData("refs:x", HttpStatusCode.BadRequest)]
    public async Task Resolve_NothingMatches_Error(string reference, HttpStatusCode expected)
    {
        await using var registry = await StartAsync();
        await PushVersionsAsync(registry, "refs", 1);

        var (status, body) = await RegistryHarness.TrySendAsync(registry.Admin, HttpMethod.Get, $"api/v1/resolve/{Uri.EscapeDataString(reference)}");

        Assert.Equal(expected, status);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
    }

    private async Task PushVersionsAsync(RegistryHarness registry, string model, int count, Func<int, object?>? extra = null)
    {
        await RegistryHarness.CreateModelAsync(registry.Admin, model);
        var sha = await RegistryHarness.UploadAsync(registry.Admin, SimpleOnnx);
        for (var i = 1; i <= count; i++)
        {
            await RegistryHarness.PushAsync(registry.Admin, model, sha, extra?.Invoke(i));
        }
    }

    private static Task<JsonElement> SetStageAsync(RegistryHarness registry, string model, int version, string stage, bool archiveExisting) =>
        RegistryHarness.SendAsync(registry.Admin, HttpMethod.Post, $"api/v1/models/{model}/versions/{version}/stage", new { stage, archiveExisting }, HttpStatusCode.OK);

    private static async Task<string[]> StagesAsync(RegistryHarness registry, string model)
    {
        var versions = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, $"api/v1/models/{model}/versions", null, HttpStatusCode.OK);
        return versions.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("stage").GetString()!).ToArray();
    }
}
