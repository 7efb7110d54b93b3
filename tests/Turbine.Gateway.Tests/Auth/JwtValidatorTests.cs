using Turbine.Gateway.Auth;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Routing;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Auth;

/// <summary>JWT validation against the injected clock, and claim mapping, without HTTP.</summary>
public sealed class JwtValidatorTests : IDisposable
{
    private readonly TokenFactory _tokens = new();

    public void Dispose() => _tokens.Dispose();

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private JwtValidator Validator(TimeProvider time) =>
        new(
            new JwtConfig { Issuer = TokenFactory.Issuer, Audience = TokenFactory.Audience, JwksFile = "unused", ClockSkewSeconds = 30 },
            new StaticJwksKeySource(JwksParser.Parse(_tokens.Jwks())),
            time,
            "admin");

    [Fact]
    public async Task Lifetime_CheckedAgainstInjectedClock()
    {
        var expires = DateTime.UtcNow.AddMinutes(10);
        var token = _tokens.Create(expires: expires, notBefore: DateTime.UtcNow.AddMinutes(-1), claims: new Dictionary<string, object> { ["models"] = "*" });

        var now = await Validator(new FixedClock(DateTimeOffset.UtcNow)).ValidateAsync(token, default);
        var withinSkew = await Validator(new FixedClock(expires.AddSeconds(20))).ValidateAsync(token, default);
        var later = await Validator(new FixedClock(expires.AddSeconds(31))).ValidateAsync(token, default);
        var before = await Validator(new FixedClock(DateTime.UtcNow.AddMinutes(-5))).ValidateAsync(token, default);

        Assert.True(now.Allowed);
        Assert.True(withinSkew.Allowed);
        Assert.False(later.Allowed);
        Assert.StartsWith("token expired at ", later.Error, StringComparison.Ordinal);
        Assert.False(before.Allowed);
        Assert.StartsWith("token not valid before ", before.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Claims_MappedToGrant()
    {
        var token = _tokens.Create(subject: "svc-1", claims: new Dictionary<string, object>
        {
            ["models"] = "fraud-*, iris",
            ["roles"] = new[] { "reader", "ops" },
            ["operations"] = new[] { "metadata" },
        });

        var outcome = await Validator(TimeProvider.System).ValidateAsync(token, default);

        Assert.True(outcome.Allowed);
        var grant = outcome.Grant!;
        Assert.Equal("svc-1", grant.CallerKey);
        Assert.Equal(["fraud-*", "iris"], grant.Models);
        Assert.Equal(["reader", "ops"], grant.Roles);
        Assert.False(grant.IsAdmin);
        Assert.Null(grant.Deny(GatewayOperation.Metadata, "fraud-v3", "admin"));
        Assert.Equal("caller 'svc-1' may not perform operation 'infer'", grant.Deny(GatewayOperation.Infer, "iris", "admin"));
    }

    [Fact]
    public async Task NoSubject_Refused()
    {
        var token = _tokens.Create(subject: "x", claims: new Dictionary<string, object> { ["sub"] = "" });

        var outcome = await Validator(TimeProvider.System).ValidateAsync(token, default);

        Assert.Equal("token has no 'sub' claim naming the caller", outcome.Error);
    }
}
