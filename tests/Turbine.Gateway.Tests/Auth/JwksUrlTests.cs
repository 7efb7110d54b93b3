using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Auth;

/// <summary>Signing keys from a JWKS URL: fetched, cached, refreshed; a failed refresh keeps the last keys.</summary>
[Collection(BackendCollection.Name)]
public sealed class JwksUrlTests(BackendFixture backend)
{
    private static string Yaml(Uri url, double refreshSeconds) => $"""
        auth:
          jwt:
            issuer: {TokenFactory.Issuer}
            audience: {TokenFactory.Audience}
            jwksUrl: {url}
            jwksRefreshSeconds: {refreshSeconds}
        """;

    [Fact]
    public async Task Jwt_KeysFromUrl_FetchedOnceAndCached()
    {
        using var tokens = new TokenFactory();
        await using var jwks = await JwksServer.StartAsync(tokens.Jwks());
        using var folder = new TempFolder();
        await using var host = await EdgeHost.StartAsync(backend.Server, YamlConfig.Load(Yaml(jwks.Url, 3600), folder.Path));
        var token = tokens.Create(claims: new Dictionary<string, object> { ["models"] = "simple" });

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await Bodies.SendAsync(host.Http, Bodies.Get("/v2/models/simple", bearer: token))).Status);
        }

        Assert.Equal([200, 200, 200], statuses);
        Assert.Equal(1, jwks.Fetches);
    }

    [Fact]
    public async Task Jwt_RefreshFails_LastKeysKept()
    {
        using var tokens = new TokenFactory();
        await using var jwks = await JwksServer.StartAsync(tokens.Jwks());
        using var folder = new TempFolder();
        await using var host = await EdgeHost.StartAsync(backend.Server, YamlConfig.Load(Yaml(jwks.Url, 1), folder.Path));
        var token = tokens.Create(claims: new Dictionary<string, object> { ["models"] = "simple" });
        var (first, _, _) = await Bodies.SendAsync(host.Http, Bodies.Get("/v2/models/simple", bearer: token));
        jwks.Failing = true;

        // Keep calling until the gateway has tried (and failed) to refresh; every answer must still be 200.
        var statuses = new List<int>();
        await Poll.UntilAsync(async () =>
        {
            if (jwks.Failures != 0)
            {
                return true;
            }

            statuses.Add((await Bodies.SendAsync(host.Http, Bodies.Get("/v2/models/simple", bearer: token))).Status);
            return false;
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));

        var (after, _, _) = await Bodies.SendAsync(host.Http, Bodies.Get("/v2/models/simple", bearer: token));

        Assert.Equal(200, first);
        Assert.True(jwks.Failures > 0, "the gateway never tried to refresh the JWKS");
        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Equal(200, after);
    }

    [Fact]
    public async Task Jwt_UnknownKid_RefetchesAndAcceptsRotatedKey()
    {
        using var oldKey = new TokenFactory(keyId: "old");
        using var newKey = new TokenFactory(keyId: "new");
        await using var jwks = await JwksServer.StartAsync(oldKey.Jwks());
        using var folder = new TempFolder();
        await using var host = await EdgeHost.StartAsync(
            backend.Server,
            YamlConfig.Load(Yaml(jwks.Url, 3600), folder.Path),
            s => s.AddSingleton(sp => new JwksSourceCache(TimeProvider.System, sp.GetRequiredService<ILoggerFactory>()) { UnknownKeyRefreshInterval = TimeSpan.Zero }));
        var claims = new Dictionary<string, object> { ["models"] = "simple" };
        var (oldStatus, _, _) = await Bodies.SendAsync(host.Http, Bodies.Get("/v2/models/simple", bearer: oldKey.Create(claims: claims)));
        jwks.Jwks = newKey.Jwks();

        var (newStatus, _, _) = await Bodies.SendAsync(host.Http, Bodies.Get("/v2/models/simple", bearer: newKey.Create(claims: claims)));

        Assert.Equal(200, oldStatus);
        Assert.Equal(200, newStatus);
        Assert.Equal(2, jwks.Fetches);
    }

    [Fact]
    public async Task Jwt_JwksUnreachable_503NamesFetchError()
    {
        using var tokens = new TokenFactory();
        await using var jwks = await JwksServer.StartAsync(tokens.Jwks());
        jwks.Failing = true;
        using var folder = new TempFolder();
        await using var host = await EdgeHost.StartAsync(backend.Server, YamlConfig.Load(Yaml(jwks.Url, 3600), folder.Path));

        var (status, body, _) = await Bodies.SendAsync(
            host.Http, Bodies.Get("/v2/models/simple", bearer: tokens.Create(claims: new Dictionary<string, object> { ["models"] = "*" })));

        Assert.Equal(503, status);
        Assert.Equal($"cannot validate tokens: no signing keys (fetching the JWKS from {jwks.Url} failed: HTTP 500)", Bodies.Error(body));
    }
}
