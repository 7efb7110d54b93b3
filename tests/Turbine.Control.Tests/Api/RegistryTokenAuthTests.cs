using System.Net;
using Microsoft.Extensions.Time.Testing;
using Turbine.Control.Api;

namespace Turbine.Control.Tests.Api;

/// <summary>The control service accepting the registry's own tokens, checked against a real registry on loopback.</summary>
public sealed class RegistryTokenAuthTests
{
    [Fact]
    public async Task RegistryTokens_ReaderReadsWriterWritesPatternLimits_UnknownIs401()
    {
        await using var registry = await RegistryHarness.StartAsync(("viewer", "reader"), ("deployer", "writer"));
        await using var control = await ControlApiHarness.StartAsync(o => o with { RegistryUrl = registry.Url, StaticTokens = [] });
        using var writer = control.Client(registry.Tokens["deployer"]);
        using var reader = control.Client(registry.Tokens["viewer"]);

        var (status, _, _) = await ControlApiHarness.SendAsync(writer, HttpMethod.Put, "api/v1/deployments/fraud", ControlApiHarness.Yaml("fraud"));
        Assert.Equal(HttpStatusCode.Created, status);
        (status, _, _) = await ControlApiHarness.SendAsync(reader, HttpMethod.Get, "api/v1/deployments/fraud");
        Assert.Equal(HttpStatusCode.OK, status);
        (status, _, _) = await ControlApiHarness.SendAsync(reader, HttpMethod.Delete, "api/v1/deployments/fraud");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        using var stranger = control.Client("trb_not-a-real-token");
        (status, var body, _) = await ControlApiHarness.SendAsync(stranger, HttpMethod.Get, "api/v1/deployments");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("registry", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegistryToken_ModelPattern_LimitsTheDeploymentsItMayTouch()
    {
        await using var registry = await RegistryHarness.StartAsync(("admin", "admin"));
        using var admin = new HttpClient { BaseAddress = registry.Url };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", registry.Tokens["admin"]);
        using var created = await admin.PostAsync("api/v1/tokens", new StringContent("""{"name":"fraud-team","role":"writer","models":"fraud*"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();

        await using var control = await ControlApiHarness.StartAsync(o => o with { RegistryUrl = registry.Url });
        using var team = control.Client(secret);
        var (status, _, _) = await ControlApiHarness.SendAsync(team, HttpMethod.Put, "api/v1/deployments/fraud-eu", ControlApiHarness.Yaml("fraud-eu"));
        Assert.Equal(HttpStatusCode.Created, status);
        (status, var body, _) = await ControlApiHarness.SendAsync(team, HttpMethod.Post, "api/v1/deployments", ControlApiHarness.Yaml("vision"));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("fraud*", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        using var writer = control.Client();
        await ControlApiHarness.SendAsync(writer, HttpMethod.Put, "api/v1/deployments/vision", ControlApiHarness.Yaml("vision"));
        (status, body, _) = await ControlApiHarness.SendAsync(team, HttpMethod.Get, "api/v1/deployments");
        Assert.Equal(new[] { "fraud-eu" }, body.GetProperty("deployments").EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToArray());
    }

    [Fact]
    public async Task RegistryToken_Revoked_StillCachedWithinTheTtl_RefusedAfter()
    {
        await using var registry = await RegistryHarness.StartAsync(("admin", "admin"), ("deployer", "writer"));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var control = await ControlApiHarness.StartAsync(o => o with { RegistryUrl = registry.Url, TimeProvider = time, TokenCacheTtl = TimeSpan.FromSeconds(30) });
        using var deployer = control.Client(registry.Tokens["deployer"]);
        var (status, _, _) = await ControlApiHarness.SendAsync(deployer, HttpMethod.Get, "api/v1/deployments");
        Assert.Equal(HttpStatusCode.OK, status);

        using var admin = new HttpClient { BaseAddress = registry.Url };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", registry.Tokens["admin"]);
        using var tokens = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync("api/v1/tokens"));
        var id = tokens.RootElement.GetProperty("tokens").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "deployer").GetProperty("id").GetInt64();
        using (var revoked = await admin.DeleteAsync($"api/v1/tokens/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        (status, _, _) = await ControlApiHarness.SendAsync(deployer, HttpMethod.Get, "api/v1/deployments");
        Assert.Equal(HttpStatusCode.OK, status);
        time.Advance(TimeSpan.FromSeconds(31));
        (status, _, _) = await ControlApiHarness.SendAsync(deployer, HttpMethod.Get, "api/v1/deployments");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task RegistryDown_503NotCached_StaticTokensStillWork()
    {
        var port = Loopback.FreePort();
        await using var control = await ControlApiHarness.StartAsync(o => o with { RegistryUrl = new Uri($"http://127.0.0.1:{port}/"), RegistryTimeout = TimeSpan.FromSeconds(5) });
        using var client = control.Client("trb_some-registry-token");
        var (status, body, _) = await ControlApiHarness.SendAsync(client, HttpMethod.Get, "api/v1/deployments");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unavailable", body.GetProperty("code").GetString());
        Assert.DoesNotContain("trb_some-registry-token", body.ToString(), StringComparison.Ordinal);
        using var writer = control.Client();
        (status, _, _) = await ControlApiHarness.SendAsync(writer, HttpMethod.Get, "api/v1/deployments");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public void VerdictCache_Bounded_OldestGoesFirst_ExpiresAfterTtl()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var cache = new TokenVerdictCache(3, TimeSpan.FromSeconds(30), time);
        for (var i = 0; i < 10; i++)
        {
            cache.Set("k" + i, AuthVerdict.Unauthenticated("no"));
        }

        Assert.Equal(3, cache.Count);
        Assert.Null(cache.Get("k6"));
        Assert.NotNull(cache.Get("k9"));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(cache.Get("k9"));
        Assert.Equal(2, cache.Count);
    }
}
