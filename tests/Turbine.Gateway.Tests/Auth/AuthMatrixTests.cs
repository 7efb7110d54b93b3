using Turbine.Gateway.Auth;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Auth;

/// <summary>The auth matrix through real HTTP: the edge pipeline in Kestrel in front of a real Turbine server.</summary>
[Collection(BackendCollection.Name)]
public sealed class AuthMatrixTests(BackendFixture backend) : IAsyncLifetime
{
    private const string ReaderKey = "reader-secret-1";
    private const string AdminKey = "admin-secret-2";
    private const string MetaKey = "meta-secret-3";

    private readonly TempFolder _folder = new();
    private readonly TokenFactory _tokens = new();
    private EdgeHost _host = null!;

    public async Task InitializeAsync()
    {
        File.WriteAllText(_folder.File("jwks.json"), _tokens.Jwks());
        _host = await EdgeHost.StartAsync(backend.Server, YamlConfig.Load(Yaml(), _folder.Path));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _tokens.Dispose();
        _folder.Dispose();
    }

    internal static string Yaml(string extra = "") => $"""
        auth:
          apiKeys:
            - id: reader
              hash: {ApiKeyHasher.Hash(ReaderKey)}
              models: [simple, "simple_*"]
            - id: ops
              hash: {ApiKeyHasher.Hash(AdminKey)}
              roles: [admin]
            - id: meta
              hash: {ApiKeyHasher.Hash(MetaKey)}
              operations: [metadata]
          jwt:
            issuer: {TokenFactory.Issuer}
            audience: {TokenFactory.Audience}
            jwksFile: jwks.json
          anonymous:
            models: [iris]
            operations: [metadata]
        {extra}
        """;

    [Fact]
    public async Task Infer_NoCredential_401WithReasonAndChallenge()
    {
        var (status, body, headers) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v2/models/simple/infer", Bodies.SimpleV2()));

        Assert.Equal(401, status);
        Assert.StartsWith("missing credential", Bodies.Error(body), StringComparison.Ordinal);
        Assert.Equal("Bearer realm=\"turbine\"", headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Infer_BadKey_401InvalidToken(bool asBearer)
    {
        var request = asBearer
            ? Bodies.Post("/v2/models/simple/infer", Bodies.SimpleV2(), bearer: "not-a-key")
            : Bodies.Post("/v2/models/simple/infer", Bodies.SimpleV2(), apiKey: "not-a-key");

        var (status, body, headers) = await Bodies.SendAsync(_host.Http, request);

        Assert.Equal(401, status);
        Assert.Equal("invalid API key", Bodies.Error(body));
        Assert.Contains("error=\"invalid_token\"", headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Infer_GoodKeyAllowedModel_ServerAnswers(bool asBearer)
    {
        var request = asBearer
            ? Bodies.Post("/v2/models/simple/infer", Bodies.SimpleV2(), bearer: ReaderKey)
            : Bodies.Post("/v2/models/simple/infer", Bodies.SimpleV2(), apiKey: ReaderKey);

        var (status, body, _) = await Bodies.SendAsync(_host.Http, request);

        Assert.Equal(200, status);
        var output0 = body.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "OUTPUT0");
        Assert.Equal(Enumerable.Range(1, 16), output0.GetProperty("data").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Fact]
    public async Task Infer_GoodKeyForbiddenModel_403NamesModel()
    {
        var (status, body, headers) = await Bodies.SendAsync(
            _host.Http, Bodies.Post("/v2/models/iris/infer", "{\"inputs\":[]}", bearer: ReaderKey));

        Assert.Equal(403, status);
        Assert.Equal("caller 'reader' may not use model 'iris'", Bodies.Error(body));
        Assert.Contains("insufficient_scope", headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusal_BodyIsPlainJsonWithReadableQuotes()
    {
        using var response = await _host.Http.SendAsync(Bodies.Get("/v2/models/iris", bearer: ReaderKey));

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"error\":\"caller 'reader' may not use model 'iris'\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Infer_KeyWithoutInferOperation_403NamesOperation()
    {
        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v2/models/simple/infer", Bodies.SimpleV2(), apiKey: MetaKey));
        var (metaStatus, _, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", apiKey: MetaKey));

        Assert.Equal(403, status);
        Assert.Equal("caller 'meta' may not perform operation 'infer'", Bodies.Error(body));
        Assert.Equal(200, metaStatus);
    }

    [Fact]
    public async Task AdminOperation_WithoutAdminRole_403_WithAdminRole_ServerAnswers()
    {
        var (denied, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v2/repository/index", "{}", bearer: ReaderKey));
        var (allowed, index, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v2/repository/index", "{}", bearer: AdminKey));

        Assert.Equal(403, denied);
        Assert.Equal("operation 'admin' requires role 'admin'; caller 'reader' does not have it", Bodies.Error(body));
        Assert.Equal(200, allowed);
        Assert.Contains(index.EnumerateArray(), m => m.GetProperty("name").GetString() == "iris");
    }

    [Fact]
    public async Task Anonymous_GrantedModelAndOperation_Allowed_OtherwiseUnauthenticated()
    {
        var (metadata, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/iris"));
        var (infer, _, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v2/models/iris/infer", "{\"inputs\":[]}"));
        var (otherModel, _, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple"));

        Assert.Equal(200, metadata);
        Assert.Equal("iris", body.GetProperty("name").GetString());
        Assert.Equal(401, infer);
        Assert.Equal(401, otherModel);
    }

    [Fact]
    public async Task HealthProbe_NoCredential_Allowed()
    {
        using var response = await _host.Http.GetAsync("/v2/health/ready");

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task UnsupportedScheme_401NamesScheme()
    {
        var request = Bodies.Get("/v2/models/simple");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");

        var (status, body, _) = await Bodies.SendAsync(_host.Http, request);

        Assert.Equal(401, status);
        Assert.Equal("unsupported authorization scheme 'Basic'; expected 'Bearer <API key or JWT>'", Bodies.Error(body));
    }

    [Fact]
    public async Task Jwt_Valid_AllowedModelFromClaim_ServerAnswers()
    {
        var token = _tokens.Create(claims: new Dictionary<string, object> { ["models"] = new[] { "simple", "iris" } });

        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v2/models/simple/infer", Bodies.SimpleV2(), bearer: token));
        var (forbidden, error, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/accumulator", bearer: token));

        Assert.Equal(200, status);
        Assert.Equal("simple", body.GetProperty("model_name").GetString());
        Assert.Equal(403, forbidden);
        Assert.Equal("caller 'alice' may not use model 'accumulator'", Bodies.Error(error));
    }

    [Fact]
    public async Task Jwt_ModelsAsSpaceSeparatedString_AndAdminRole()
    {
        var scoped = _tokens.Create(subject: "bob", claims: new Dictionary<string, object> { ["models"] = "iris simple" });
        var admin = _tokens.Create(subject: "root", claims: new Dictionary<string, object> { ["roles"] = new[] { "admin" } });
        var noModels = _tokens.Create(subject: "carol");

        var (scopedStatus, _, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", bearer: scoped));
        var (adminStatus, _, _) = await Bodies.SendAsync(_host.Http, Bodies.Post("/v2/repository/index", "{}", bearer: admin));
        var (noModelsStatus, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", bearer: noModels));

        Assert.Equal(200, scopedStatus);
        Assert.Equal(200, adminStatus);
        Assert.Equal(403, noModelsStatus);
        Assert.Equal("caller 'carol' may not use model 'simple'", Bodies.Error(body));
    }

    [Fact]
    public async Task Jwt_Expired_401SaysExpired()
    {
        var token = _tokens.Create(expires: DateTime.UtcNow.AddHours(-2), claims: new Dictionary<string, object> { ["models"] = "*" });

        var (status, body, headers) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", bearer: token));

        Assert.Equal(401, status);
        Assert.StartsWith("token expired at ", Bodies.Error(body), StringComparison.Ordinal);
        Assert.Contains("error=\"invalid_token\", error_description=\"token expired at", headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jwt_WrongAudience_401NamesAudience()
    {
        var token = _tokens.Create(audience: "someone-else", claims: new Dictionary<string, object> { ["models"] = "*" });

        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", bearer: token));

        Assert.Equal(401, status);
        Assert.Equal("token audience 'someone-else' is not accepted; expected 'turbine'", Bodies.Error(body));
    }

    [Fact]
    public async Task Jwt_AudienceWithControlCharacters_401WithSafeChallenge()
    {
        var token = _tokens.Create(audience: "evil\r\nx-injected: 1 \"é\"", claims: new Dictionary<string, object> { ["models"] = "*" });

        var (status, body, headers) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", bearer: token));

        Assert.Equal(401, status);
        Assert.Equal("token audience 'evil\r\nx-injected: 1 \"é\"' is not accepted; expected 'turbine'", Bodies.Error(body));
        Assert.False(headers.Contains("x-injected"));
        Assert.Contains("error_description=\"token audience 'evil??x-injected: 1 ???' is not accepted", headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jwt_WrongIssuer_401NamesIssuer()
    {
        var token = _tokens.Create(issuer: "https://evil.test", claims: new Dictionary<string, object> { ["models"] = "*" });

        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", bearer: token));

        Assert.Equal(401, status);
        Assert.Equal("token issuer 'https://evil.test' is not accepted; expected 'https://issuer.test'", Bodies.Error(body));
    }

    [Fact]
    public async Task Jwt_BadSignature_401()
    {
        using var impostor = new TokenFactory(keyId: "key-1"); // same kid, different key
        var forged = impostor.Create(claims: new Dictionary<string, object> { ["models"] = "*" });
        using var stranger = new TokenFactory(keyId: "key-unknown");
        var unknownKey = stranger.Create(claims: new Dictionary<string, object> { ["models"] = "*" });

        var (forgedStatus, forgedBody, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", bearer: forged));
        var (unknownStatus, unknownBody, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", bearer: unknownKey));

        Assert.Equal(401, forgedStatus);
        Assert.Equal("token signature is invalid", Bodies.Error(forgedBody));
        Assert.Equal(401, unknownStatus);
        Assert.Equal("token signature key is not among the configured signing keys", Bodies.Error(unknownBody));
    }

    [Fact]
    public async Task Jwt_TamperedPayload_401()
    {
        var token = _tokens.Create(claims: new Dictionary<string, object> { ["models"] = "simple" });
        var parts = token.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1]))
            .Replace("\"simple\"", "\"*\"", StringComparison.Ordinal);
        var tampered = parts[0] + "." + Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload) + "." + parts[2];

        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/iris", bearer: tampered));

        Assert.Equal(401, status);
        Assert.Equal("token signature is invalid", Bodies.Error(body));
    }

    [Fact]
    public async Task Jwt_UnsignedAlgNone_401()
    {
        static string Segment(string json) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(json);
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var unsigned = Segment("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." +
            Segment($"{{\"sub\":\"mallory\",\"iss\":\"{TokenFactory.Issuer}\",\"aud\":\"{TokenFactory.Audience}\",\"exp\":{exp},\"models\":\"*\"}}") + ".";

        var (status, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", bearer: unsigned));

        Assert.Equal(401, status);
        Assert.Equal("token signature is invalid", Bodies.Error(body));
    }

    [Fact]
    public async Task ConfigReload_KeyRemoved_NowRejected()
    {
        var (before, _, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", apiKey: ReaderKey));
        _host.Config.Set(YamlConfig.Load($"""
            auth:
              apiKeys:
                - id: ops
                  hash: {ApiKeyHasher.Hash(AdminKey)}
                  roles: [admin]
            """, _folder.Path));

        var (after, body, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", apiKey: ReaderKey));
        var (admin, _, _) = await Bodies.SendAsync(_host.Http, Bodies.Get("/v2/models/simple", apiKey: AdminKey));

        Assert.Equal(200, before);
        Assert.Equal(401, after);
        Assert.Equal("invalid API key", Bodies.Error(body));
        Assert.Equal(200, admin);
    }
}
