using System.Net;

namespace Turbine.Registry.Tests;

/// <summary>
/// Issue 11, item 9: a token scoped to some models cannot reach another model's artifact by naming its digest in a
/// version of its own, and cannot learn whether a digest exists.
/// </summary>
public abstract partial class RegistryServerTests
{
    [Fact]
    public async Task CreateVersion_OtherModelsDigest_AnsweredLikeUnknownDigest_UntilCallerUploadsTheBytes()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "vision-1");
        await RegistryHarness.CreateModelAsync(registry.Admin, "fraud-1");
        var sha = await RegistryHarness.UploadAsync(registry.Admin, SimpleOnnx);
        await RegistryHarness.PushAsync(registry.Admin, "vision-1", sha);
        var writer = await registry.ClientWithRoleAsync("fraud-writer", "writer", "fraud*");
        var missing = string.Concat(Enumerable.Repeat("ab", 32));

        var stolen = await RegistryHarness.TrySendAsync(writer, HttpMethod.Post, "api/v1/models/fraud-1/versions", new { artifact = new { sha256 = sha } });
        var unknown = await RegistryHarness.TrySendAsync(writer, HttpMethod.Post, "api/v1/models/fraud-1/versions", new { artifact = new { sha256 = missing } });

        // Same status, code and message (but the digest) as a digest nobody uploaded: nothing reveals that it exists.
        Assert.Equal(HttpStatusCode.BadRequest, stolen.Status);
        Assert.Equal(unknown.Status, stolen.Status);
        Assert.Equal("unknown_artifact", stolen.Body.GetProperty("code").GetString());
        Assert.Equal(unknown.Body.GetProperty("code").GetString(), stolen.Body.GetProperty("code").GetString());
        Assert.Equal(
            unknown.Body.GetProperty("error").GetString()!.Replace(missing, "<sha>", StringComparison.Ordinal),
            stolen.Body.GetProperty("error").GetString()!.Replace(sha, "<sha>", StringComparison.Ordinal));
        var versions = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/fraud-1/versions", null, HttpStatusCode.OK);
        Assert.Equal(0, versions.GetProperty("versions").GetArrayLength());
        var download = await RegistryHarness.TrySendAsync(writer, HttpMethod.Get, "api/v1/models/fraud-1/versions/1/artifact");
        Assert.NotEqual(HttpStatusCode.OK, download.Status);

        // A token that may read a version using the digest may reuse it; the writer may once it uploads the bytes.
        var wide = await registry.ClientWithRoleAsync("wide-writer", "writer", "*");
        await RegistryHarness.PushAsync(wide, "fraud-1", sha);
        Assert.Equal(sha, await RegistryHarness.UploadAsync(writer, SimpleOnnx));
        var own = await RegistryHarness.PushAsync(writer, "fraud-1", sha);
        Assert.Equal(2, own.GetProperty("version").GetInt64());
        var health = await RegistryHarness.TrySendAsync(registry.Client(null), HttpMethod.Get, "healthz");
        Assert.Equal(HttpStatusCode.OK, health.Status);
    }
}
