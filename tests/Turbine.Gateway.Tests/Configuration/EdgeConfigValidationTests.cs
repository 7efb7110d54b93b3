using Turbine.Gateway.Auth;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Configuration;

/// <summary>The edge sections read from YAML and report bad values by YAML path.</summary>
public sealed class EdgeConfigValidationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Validate_BadAuthSection_ErrorsNamePaths()
    {
        var (_, errors) = YamlConfig.ParseAndValidate($"""
            auth:
              apiKeys:
                - id: a
                  hash: sha256:1234
                - hash: {ApiKeyHasher.Hash("x")}
                  operations: [infer, fly]
                - id: a
                  hash: {ApiKeyHasher.Hash("y")}
              jwt:
                audience: turbine
                jwksFile: missing.json
              anonymous:
                operations: [admin]
            """, _folder.Path);

        Assert.Contains("auth.apiKeys[0].hash: expected 'sha256:<64 hex digits>', got 'sha256:1234'", errors);
        Assert.Contains("auth.apiKeys[1].id: required: a name for the key (used in logs and rate limits)", errors);
        Assert.Contains("auth.apiKeys[1].operations[1]: unknown operation 'fly'; expected one of server, metadata, infer, admin", errors);
        Assert.Contains("auth.apiKeys[2].id: duplicate API key id 'a'", errors);
        Assert.Contains("auth.jwt.issuer: required: the token issuer (iss) to accept", errors);
        Assert.Contains($"auth.jwt.jwksFile: file not found: {_folder.File("missing.json")}", errors);
        Assert.Contains("auth.anonymous.operations: 'admin' cannot be granted to anonymous callers", errors);
    }

    [Fact]
    public void Validate_JwksFileNotAKeySet_Error()
    {
        File.WriteAllText(_folder.File("jwks.json"), "{\"not\":\"keys\"}");

        var (_, errors) = YamlConfig.ParseAndValidate("""
            auth:
              jwt: {issuer: i, audience: a, jwksFile: jwks.json}
            """, _folder.Path);

        Assert.Single(errors);
        Assert.StartsWith("auth.jwt.jwksFile: ", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BothJwksSources_Error()
    {
        var (_, errors) = YamlConfig.ParseAndValidate("""
            auth:
              jwt: {issuer: i, audience: a, jwksUrl: "ftp://x/keys"}
            """, _folder.Path);

        Assert.Contains("auth.jwt.jwksUrl: expected an absolute http(s) URL, got 'ftp://x/keys'", errors);
    }

    [Fact]
    public void Validate_BadRateLimits_ErrorsNamePaths()
    {
        var (_, errors) = YamlConfig.ParseAndValidate("""
            rateLimits:
              perKey: {requests: 0}
              models:
                iris: {requests: 5, periodSeconds: -1, burst: 0}
            """, _folder.Path);

        Assert.Equal(
            [
                "rateLimits.perKey.requests: expected a whole number of requests of at least 1, got 0",
                "rateLimits.models.iris.periodSeconds: expected seconds between 0.001 and 86400, got -1",
                "rateLimits.models.iris.burst: expected at least 1, got 0",
            ],
            errors);
    }

    [Fact]
    public void Validate_BadTransformsAndAccessLog_ErrorsNamePaths()
    {
        var (_, errors) = YamlConfig.ParseAndValidate("""
            transforms:
              headers:
                request:
                  set: {"bad header": x, content-length: "5"}
                  remove: [host]
            accessLog:
              path: no-such-folder/access.log
              sampleRate: 2
            """, _folder.Path);

        Assert.Contains("transforms.headers.request.set.bad header: 'bad header' is not a valid header name", errors);
        Assert.Contains("transforms.headers.request.set.content-length: header 'content-length' is managed by the gateway and cannot be changed by a transform", errors);
        Assert.Contains("transforms.headers.request.remove[0]: header 'host' is managed by the gateway and cannot be changed by a transform", errors);
        Assert.Contains("accessLog.sampleRate: expected a share between 0 and 1, got 2", errors);
        Assert.Contains($"accessLog.path: folder does not exist: {_folder.File("no-such-folder")}", errors);
    }

    [Fact]
    public void Parse_FullEdgeExample_Valid()
    {
        var tokens = new TokenFactory();
        File.WriteAllText(_folder.File("jwks.json"), tokens.Jwks());
        tokens.Dispose();

        var config = YamlConfig.Load($"""
            auth:
              apiKeys:
                - id: team-a
                  hash: {ApiKeyHasher.Hash("k")}
                  roles: [admin]
                  models: ["fraud-*"]
                  operations: [infer, metadata]
              jwt:
                issuer: https://login.example.com/
                audiences: [turbine, turbine-dev]
                jwksFile: jwks.json
                modelsClaim: turbine_models
              anonymous: {"{"}models: [iris], operations: [metadata]{"}"}
              anonymousHealth: false
            rateLimits:
              perKey: {"{"}requests: 100, periodSeconds: 1, burst: 200{"}"}
              perModel: {"{"}requests: 1000{"}"}
            transforms:
              kserveV1: false
              headers:
                request: {"{"}set: {"{"}x-gateway: turbine{"}"}{"}"}
              models:
                iris:
                  response: {"{"}append: {"{"}x-model-owner: data-team{"}"}, remove: [x-internal]{"}"}
            accessLog:
              path: access.log
              sampleRate: 0.5
              excludePaths: [/v2/health/*]
            """, _folder.Path);

        Assert.Equal("team-a", config.Auth.ApiKeys[0].Id);
        Assert.Equal(["fraud-*"], config.Auth.ApiKeys[0].Models);
        Assert.Equal(["turbine", "turbine-dev"], config.Auth.Jwt!.AllAudiences());
        Assert.Equal(_folder.File("jwks.json"), config.Auth.Jwt.ResolvedJwksFile);
        Assert.False(config.Auth.AnonymousHealth);
        Assert.Equal(200, config.RateLimits.PerKey!.EffectiveBurst);
        Assert.Equal(1000, config.RateLimits.PerModel!.EffectiveBurst);
        Assert.False(config.Transforms.KserveV1);
        Assert.Equal("turbine", config.Transforms.Headers.Request.Set["x-gateway"]);
        Assert.Equal(["x-internal"], config.Transforms.Models["iris"].Response.Remove);
        Assert.Equal(_folder.File("access.log"), config.AccessLog.ResolvedPath);
    }

    [Fact]
    public void Parse_EmptyCollections_TreatedAsEmptyNotNull()
    {
        var (config, errors) = YamlConfig.ParseAndValidate($"""
            auth:
              apiKeys:
                - id: k
                  hash: {ApiKeyHasher.Hash("k")}
                  models:
                  operations:
            rateLimits:
              keys:
              models:
            transforms:
              headers:
                request:
                  set:
              models:
            accessLog:
              excludePaths:
            """, _folder.Path);

        Assert.Empty(errors);
        Assert.Empty(config.Auth.ApiKeys[0].Models);
        Assert.Empty(config.Auth.ApiKeys[0].Operations);
        Assert.Empty(config.RateLimits.Keys);
        Assert.False(config.RateLimits.IsEnabled());
        Assert.Empty(config.Transforms.Headers.Request.Set);
        Assert.Empty(config.Transforms.Headers.Response.Remove);
        Assert.Empty(config.AccessLog.ExcludePaths);
    }

    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("fraud-*", "fraud-v2", true)]
    [InlineData("fraud-*", "fraud", false)]
    [InlineData("simple?", "simple2", true)]
    [InlineData("simple?", "simple", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("iris", "Iris", false)]
    public void GlobMatch_Patterns(string pattern, string value, bool expected) =>
        Assert.Equal(expected, AccessRules.GlobMatch(pattern, value));

    [Theory]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", true)]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", true)]
    [InlineData("plain-api-key", false)]
    [InlineData("a.b", false)]
    [InlineData("a.b.c.d", false)]
    [InlineData("a..c", false)]
    [InlineData("a.b=.c", false)]
    public void LooksLikeJwt_Shapes(string value, bool expected) =>
        Assert.Equal(expected, JwtValidator.LooksLikeJwt(value));

    [Fact]
    public void Hash_MatchesSha256sumForm() =>
        Assert.Equal("sha256:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b", ApiKeyHasher.Hash("secret"));
}
