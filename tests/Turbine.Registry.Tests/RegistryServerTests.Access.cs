using System.Net;

namespace Turbine.Registry.Tests;

public abstract partial class RegistryServerTests
{
    [Fact]
    public async Task Tokens_NoUnknownOrRevokedToken_401WithJsonError()
    {
        await using var registry = await StartAsync();
        var reader = await registry.ClientWithRoleAsync("reader-1", "reader");
        await RegistryHarness.SendAsync(reader, HttpMethod.Get, "api/v1/models", null, HttpStatusCode.OK);
        var tokens = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/tokens", null, HttpStatusCode.OK);
        var id = tokens.GetProperty("tokens").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "reader-1").GetProperty("id").GetInt64();

        using (var revoke = await registry.Admin.DeleteAsync($"api/v1/tokens/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        foreach (var client in new[] { registry.Client(null), registry.Client("trb_not-a-real-token"), reader })
        {
            var (status, body) = await RegistryHarness.TrySendAsync(client, HttpMethod.Get, "api/v1/models");
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Equal("unauthenticated", body.GetProperty("code").GetString());
        }

        var health = await RegistryHarness.TrySendAsync(registry.Client(null), HttpMethod.Get, "healthz");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        var listed = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/tokens", null, HttpStatusCode.OK);
        var revoked = listed.GetProperty("tokens").EnumerateArray().Single(t => t.GetProperty("id").GetInt64() == id);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, revoked.GetProperty("revokedAt").ValueKind);
        Assert.DoesNotContain("token\"", listed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhoAmI_ValidToken_NameRoleAndPatternWithoutSecret_UnknownToken401()
    {
        await using var registry = await StartAsync();
        var writer = await registry.ClientWithRoleAsync("fraud-writer", "writer", "fraud*");
        var me = await RegistryHarness.SendAsync(writer, HttpMethod.Get, "api/v1/auth/whoami", null, HttpStatusCode.OK);
        Assert.Equal("fraud-writer", me.GetProperty("name").GetString());
        Assert.Equal("writer", me.GetProperty("role").GetString());
        Assert.Equal("fraud*", me.GetProperty("models").GetString());
        Assert.DoesNotContain("trb_", me.ToString(), StringComparison.Ordinal);

        var (status, body) = await RegistryHarness.TrySendAsync(registry.Client("trb_not-a-real-token"), HttpMethod.Get, "api/v1/auth/whoami");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("unauthenticated", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Tokens_RolesAndModelPatterns_403WhereNotAllowed()
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "fraud-1");
        await RegistryHarness.CreateModelAsync(registry.Admin, "vision-1");
        var sha = await RegistryHarness.UploadAsync(registry.Admin, SimpleOnnx);
        var reader = await registry.ClientWithRoleAsync("reader", "reader");
        var writer = await registry.ClientWithRoleAsync("fraud-writer", "writer", "fraud*");

        var forbidden = new (HttpClient Client, HttpMethod Method, string Path, object? Body)[]
        {
            (reader, HttpMethod.Post, "api/v1/models/fraud-1/versions", new { artifact = new { sha256 = sha } }),
            (reader, HttpMethod.Post, "api/v1/models", new { name = "fraud-2" }),
            (writer, HttpMethod.Post, "api/v1/models/vision-1/versions", new { artifact = new { sha256 = sha } }),
            (writer, HttpMethod.Post, "api/v1/models", new { name = "vision-2" }),
            (writer, HttpMethod.Get, "api/v1/models/vision-1", null),
            (writer, HttpMethod.Get, "api/v1/tokens", null),
            (writer, HttpMethod.Get, "api/v1/audit", null),
            (writer, HttpMethod.Post, "api/v1/tokens", new { name = "escalate", role = "admin" }),
        };
        foreach (var (client, method, path, body) in forbidden)
        {
            var (status, error) = await RegistryHarness.TrySendAsync(client, method, path, body);
            Assert.True(status == HttpStatusCode.Forbidden, $"{method} {path}: expected 403, got {(int)status} {error}");
            Assert.Equal("forbidden", error.GetProperty("code").GetString());
        }

        Assert.Equal(sha, await RegistryHarness.UploadAsync(writer, SimpleOnnx)); // a version may use only bytes its creator uploaded (or can read)
        var pushed = await RegistryHarness.PushAsync(writer, "fraud-1", sha);
        Assert.Equal("fraud-writer", pushed.GetProperty("createdBy").GetString());
        await RegistryHarness.SendAsync(writer, HttpMethod.Post, "api/v1/models/fraud-1/versions/1/stage", new { stage = "Staging" }, HttpStatusCode.OK);
        var production = await RegistryHarness.TrySendAsync(writer, HttpMethod.Post, "api/v1/models/fraud-1/versions/1/stage", new { stage = "Production" });
        Assert.Equal(HttpStatusCode.Forbidden, production.Status);
        var visible = await RegistryHarness.SendAsync(writer, HttpMethod.Get, "api/v1/models", null, HttpStatusCode.OK);
        Assert.Equal(["fraud-1"], visible.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.Equal(2, (await RegistryHarness.SendAsync(reader, HttpMethod.Get, "api/v1/models", null, HttpStatusCode.OK)).GetProperty("models").GetArrayLength());
        var versions = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/models/vision-1/versions", null, HttpStatusCode.OK);
        Assert.Equal(0, versions.GetProperty("versions").GetArrayLength());
    }

    [Fact]
    public async Task Audit_EveryChange_RecordedWithTheTokenNameNewestFirst()
    {
        await using var registry = await StartAsync();
        var writer = await registry.ClientWithRoleAsync("ci-bot", "writer");
        await RegistryHarness.CreateModelAsync(writer, "audited");
        var sha = await RegistryHarness.UploadAsync(writer, SimpleOnnx);
        await RegistryHarness.PushAsync(writer, "audited", sha);
        await RegistryHarness.PushAsync(writer, "audited", sha);
        await RegistryHarness.SendAsync(writer, HttpMethod.Patch, "api/v1/models/audited", new { description = "d" }, HttpStatusCode.OK);
        using (var card = await writer.PutAsync("api/v1/models/audited/card", new StringContent("# card")))
        {
            Assert.Equal(HttpStatusCode.NoContent, card.StatusCode);
        }

        await RegistryHarness.SendAsync(writer, HttpMethod.Post, "api/v1/models/audited/versions/1/stage", new { stage = "Staging" }, HttpStatusCode.OK);
        await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Post, "api/v1/models/audited/versions/2/stage", new { stage = "Staging", archiveExisting = true }, HttpStatusCode.OK);
        await RegistryHarness.SendAsync(writer, HttpMethod.Put, "api/v1/models/audited/aliases/champion", new { version = 2 }, HttpStatusCode.OK);
        using (var deleted = await writer.DeleteAsync("api/v1/models/audited/aliases/champion"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var audit = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/audit?model=audited", null, HttpStatusCode.OK);
        var entries = audit.GetProperty("entries").EnumerateArray()
            .Select(e => $"{e.GetProperty("actor").GetString()} {e.GetProperty("action").GetString()} {(e.GetProperty("version").ValueKind == System.Text.Json.JsonValueKind.Null ? "-" : e.GetProperty("version").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture))}")
            .ToArray();
        Assert.Equal(
        [
            "ci-bot alias.delete 2", "ci-bot alias.set 2", "root version.stage 2", "root version.stage 1", "ci-bot version.stage 1",
            "ci-bot model.card -", "ci-bot model.update -", "ci-bot version.create 2", "ci-bot version.create 1", "ci-bot model.create -",
        ], entries);
        var all = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/audit?limit=2", null, HttpStatusCode.OK);
        var page = all.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToArray();
        Assert.Equal(2, page.Length);
        Assert.True(page[0] > page[1]);
        var next = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, $"api/v1/audit?limit=100&before={page[1]}", null, HttpStatusCode.OK);
        Assert.All(next.GetProperty("entries").EnumerateArray(), e => Assert.True(e.GetProperty("id").GetInt64() < page[1]));
        Assert.Contains(next.GetProperty("entries").EnumerateArray(), e => e.GetProperty("action").GetString() == "token.create" && e.GetProperty("actor").GetString() == "root");
    }

    [Theory]
    [InlineData("DELETE FROM audit")]
    [InlineData("UPDATE audit SET actor = 'someone-else'")]
    public async Task Audit_ChangedStraightInTheDatabase_Refused(string sql)
    {
        await using var registry = await StartAsync();
        await RegistryHarness.CreateModelAsync(registry.Admin, "kept");

        var error = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => ExecuteSqlAsync(registry.Options, sql));

        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
        var audit = await RegistryHarness.SendAsync(registry.Admin, HttpMethod.Get, "api/v1/audit?model=kept", null, HttpStatusCode.OK);
        Assert.Equal("root", audit.GetProperty("entries")[0].GetProperty("actor").GetString());
    }

    [Fact]
    public async Task DevMode_Loopback_NoTokenNeededAndActorIsDev()
    {
        await using var registry = await StartAsync(dev: true);
        var anonymous = registry.Client(null);

        var model = await RegistryHarness.CreateModelAsync(anonymous, "devmodel");

        Assert.Equal("dev", model.GetProperty("owner").GetString());
        var audit = await RegistryHarness.SendAsync(anonymous, HttpMethod.Get, "api/v1/audit", null, HttpStatusCode.OK);
        Assert.Equal("dev", audit.GetProperty("entries")[0].GetProperty("actor").GetString());
    }

    [Fact]
    public async Task DevMode_NonLoopbackHost_RefusedToStart()
    {
        var options = await CreateOptionsAsync(Path.Combine(Path.GetTempPath(), "turbine-tests", "registry-" + Guid.NewGuid().ToString("N")));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => RegistryServer.StartAsync(options with { Dev = true, Host = "0.0.0.0", Port = 0 }));

        Assert.Contains("--dev", error.Message, StringComparison.Ordinal);
        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
    }
}
