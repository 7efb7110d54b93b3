using System.Net;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.RateLimiting;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Security;

/// <summary>The smaller auth holes of issue 11 (item 13): kid, algorithm, role values, identities, management buckets.</summary>
public sealed class EdgeAuthHardeningTests : IDisposable
{
    private readonly TokenFactory _tokens = new();

    public void Dispose() => _tokens.Dispose();

    private JwtValidator Validator() =>
        new(
            new JwtConfig { Issuer = TokenFactory.Issuer, Audience = TokenFactory.Audience, JwksFile = "unused" },
            new StaticJwksKeySource(JwksParser.Parse(_tokens.Jwks())),
            TimeProvider.System,
            "admin");

    [Fact]
    public async Task ValidateAsync_UnknownKid_Unauthenticated()
    {
        // Signed by the configured key, but naming a key id the key set does not have.
        var token = _tokens.Create(keyId: "not-configured", claims: new Dictionary<string, object> { ["models"] = "*" });

        var outcome = await Validator().ValidateAsync(token, default);

        Assert.False(outcome.Allowed);
        Assert.Equal(401, outcome.Status);
        Assert.Equal("token signature key is not among the configured signing keys", outcome.Error);
        Assert.True((await Validator().ValidateAsync(_tokens.Create(claims: new Dictionary<string, object> { ["models"] = "*" }), default)).Allowed);
    }

    [Fact]
    public async Task ValidateAsync_Ps256WhereJwkSaysRs256_Unauthenticated()
    {
        var token = _tokens.Create(algorithm: Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSsaPssSha256, claims: new Dictionary<string, object> { ["models"] = "*" });

        var outcome = await Validator().ValidateAsync(token, default);

        Assert.False(outcome.Allowed);
        Assert.Equal(401, outcome.Status);
        Assert.StartsWith("token algorithm 'PS256' is not accepted for its signing key", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_RoleWithLeadingSpace_NotAdmin()
    {
        var token = _tokens.Create(claims: new Dictionary<string, object> { ["roles"] = new[] { " admin" }, ["models"] = new[] { "iris" } });

        var outcome = await Validator().ValidateAsync(token, default);

        Assert.True(outcome.Allowed);
        Assert.False(outcome.Grant!.IsAdmin);
        Assert.Equal([" admin"], outcome.Grant.Roles);
        Assert.Equal("operation 'admin' requires role 'admin'; caller 'alice' does not have it", outcome.Grant.Deny(Turbine.Gateway.Routing.GatewayOperation.Admin, null, "admin"));
    }

    [Fact]
    public async Task TryAcquire_JwtSubjectEqualToKeyId_OwnBucket()
    {
        var token = _tokens.Create(subject: "batch-job", claims: new Dictionary<string, object> { ["models"] = "*" });
        var grant = (await Validator().ValidateAsync(token, default)).Grant!;
        using var state = new RateLimitState(new RateLimitConfig { PerKey = new RateLimitRule { Requests = 1, PeriodSeconds = 3600 } });

        Assert.Equal("jwt:" + TokenFactory.Issuer + "|batch-job", grant.Identity);
        Assert.Null(state.TryAcquire("batch-job", "key:batch-job", "127.0.0.1", null));
        Assert.Null(state.TryAcquire(grant.CallerKey, grant.Identity, "127.0.0.1", null));
        Assert.NotNull(state.TryAcquire("batch-job", "key:batch-job", "127.0.0.1", null));
        Assert.NotNull(state.TryAcquire(grant.CallerKey, grant.Identity, "127.0.0.1", null));
    }

    [Fact]
    public async Task Unload_ThroughGateway_DoesNotSpendModelInferenceBucket()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync($"""
            pools:
              main:
                replicas: [{h.Replica(0)}]
            models:
              "*": {"{pool: main}"}
            auth:
              apiKeys:
                - id: ops
                  hash: {ApiKeyHasher.Hash("ops-secret")}
                  roles: [admin]
            rateLimits:
              models:
                simple: {"{requests: 1, periodSeconds: 3600}"}
            """);
        h.Http.DefaultRequestHeaders.Add("x-api-key", "ops-secret");

        for (var i = 0; i < 3; i++)
        {
            using var unload = await h.Http.PostAsync("v2/repository/models/simple/unload", new StringContent("{}"));
            Assert.NotEqual(HttpStatusCode.TooManyRequests, unload.StatusCode);
        }

        var (status, _, _) = await h.InferAsync();
        Assert.Equal(200, status);
        var (second, body, _) = await h.InferAsync();
        Assert.Equal(429, second);
        Assert.Equal("rate limit exceeded for model 'simple' (1 requests per 3600 s)", body.GetProperty("error").GetString());
    }
}
