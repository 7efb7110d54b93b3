using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Turbine.Client;

namespace Turbine.EndToEnd.Tests;

/// <summary>The auth and rate-limit matrix through a real <c>turbine gateway</c> process in front of real replicas.</summary>
public sealed partial class GatewayTests
{
    [Fact]
    public async Task AuthAndRateLimitMatrix_AnswersExactlyAsSpecified()
    {
        using var tokens = new TokenFactory();
        var jwks = Path.Combine(replicas.Root, "jwks.json");
        await File.WriteAllTextAsync(jwks, tokens.Jwks());
        await using var gateway = await GatewayProcess.StartAsync(replicas.Root, $$"""
            pools:
              main: {replicas: [{{replicas.Yaml(0)}}, {{replicas.Yaml(1)}}]}
            models:
              "*": {pool: main}
            auth:
              apiKeys:
                - {id: simple-user, hash: "sha256:b43ae8fb43a62fdadd0b5e312017cdf6b8a66de0d6071405005099eb891d4bd9", models: [simple]}
                - {id: iris-user, hash: "sha256:55c382e43b08fc507a55aeaa758b0c0755c72aae1020271297fef0ea5814a4fe", models: [iris]}
                - {id: burst-user, hash: "sha256:fcf693d1eafc0d24a9edc66752c6d137fdf7fedd18ca2ae415d1cb73b4d53643", models: [simple]}
              jwt:
                issuer: {{TokenFactory.Issuer}}
                audience: {{TokenFactory.Audience}}
                jwksFile: {{jwks}}
            rateLimits:
              keys:
                burst-user: {requests: 3, periodSeconds: 3600}
            accessLog: {enabled: false}
            """);

        async Task<(int Status, string Error, HttpResponseMessage Response)> Infer(Action<HttpRequestMessage>? auth)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v2/models/simple/infer") { Content = new StringContent(GatewayProcess.SimpleJson(0), Encoding.UTF8, "application/json") };
            auth?.Invoke(request);
            var response = await gateway.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            using var doc = JsonDocument.Parse(text);
            return ((int)response.StatusCode, doc.RootElement.TryGetProperty("error", out var e) ? e.GetString()! : "", response);
        }

        Action<HttpRequestMessage> Bearer(string value) => r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", value);

        var none = await Infer(null);
        Assert.Equal((401, "missing credential: send 'Authorization: Bearer <API key or JWT>' or 'x-api-key: <API key>'"), (none.Status, none.Error));
        Assert.Equal("Bearer", Assert.Single(none.Response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal((401, "invalid API key"), Pick(await Infer(Bearer("wrong-key"))));
        var expired = await Infer(Bearer(tokens.Create(expires: DateTime.UtcNow.AddHours(-2), claims: new Dictionary<string, object> { ["models"] = new[] { "simple" } })));
        Assert.Equal(401, expired.Status);
        Assert.StartsWith("token expired at ", expired.Error, StringComparison.Ordinal);
        Assert.Equal((401, "token audience 'other' is not accepted; expected 'turbine'"), Pick(await Infer(Bearer(tokens.Create(audience: "other")))));
        Assert.Equal((200, ""), Pick(await Infer(r => r.Headers.Add("x-api-key", "simple-key"))));
        Assert.Equal((200, ""), Pick(await Infer(Bearer(tokens.Create(claims: new Dictionary<string, object> { ["models"] = new[] { "simple" } })))));
        Assert.Equal((403, "caller 'iris-user' may not use model 'simple'"), Pick(await Infer(Bearer("iris-key"))));
        Assert.Equal((403, "caller 'alice' may not use model 'simple'"), Pick(await Infer(Bearer(tokens.Create(claims: new Dictionary<string, object> { ["models"] = new[] { "iris" } })))));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((200, ""), Pick(await Infer(Bearer("burst-key"))));
        }

        var limited = await Infer(Bearer("burst-key"));
        Assert.Equal(429, limited.Status);
        Assert.StartsWith("rate limit exceeded for key 'burst-user'", limited.Error, StringComparison.Ordinal);
        Assert.True(limited.Response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));

        using var anonymous = new TurbineGrpcClient(gateway.Grpc);
        var e = await Assert.ThrowsAsync<TurbineClientException>(() => anonymous.InferAsync("simple", GatewayTests.Inputs(0)));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, e.GrpcStatusCode);
    }

    private static (int, string) Pick((int Status, string Error, HttpResponseMessage Response) r)
    {
        r.Response.Dispose();
        return (r.Status, r.Error);
    }
}
