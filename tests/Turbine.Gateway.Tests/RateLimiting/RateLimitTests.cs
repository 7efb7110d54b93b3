using Grpc.Core;
using Turbine.Client;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.RateLimiting;

/// <summary>
/// Token buckets per caller and per model through real HTTP. Periods are an hour long so no token comes back during
/// a test: the counts are exact, with no timing involved.
/// </summary>
[Collection(BackendCollection.Name)]
public sealed class RateLimitTests(BackendFixture backend) : IAsyncLifetime
{
    private const string KeyA = "key-a-secret";
    private const string KeyB = "key-b-secret";
    private const string KeyVip = "key-vip-secret";
    private readonly TempFolder _folder = new();
    private EdgeHost _host = null!;

    private static string Yaml(int perKey = 3) => $"""
        auth:
          apiKeys:
            - id: a
              hash: {ApiKeyHasher.Hash(KeyA)}
            - id: b
              hash: {ApiKeyHasher.Hash(KeyB)}
            - id: vip
              hash: {ApiKeyHasher.Hash(KeyVip)}
          anonymous:
            models: [simple_identity]
            operations: [metadata]
        rateLimits:
          perKey: {"{"} requests: {perKey}, periodSeconds: 3600 {"}"}
          keys:
            vip: {"{"} requests: 100, periodSeconds: 3600 {"}"}
          anonymous: {"{"} requests: 1, periodSeconds: 3600 {"}"}
          models:
            iris: {"{"} requests: 4, periodSeconds: 3600 {"}"}
        """;

    public async Task InitializeAsync() => _host = await EdgeHost.StartAsync(backend.Server, YamlConfig.Load(Yaml(), _folder.Path));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<List<(int Status, string? Error, string? RetryAfter)>> BurstAsync(int count, string path, string? key)
    {
        var results = new List<(int, string?, string?)>();
        for (var i = 0; i < count; i++)
        {
            var (status, body, headers) = await Bodies.SendAsync(_host.Http, Bodies.Get(path, apiKey: key));
            results.Add((status, status == 429 ? Bodies.Error(body) : null, headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return results;
    }

    [Fact]
    public async Task BurstOverPerKeyLimit_429WithRetryAfter_OtherKeysUnaffected()
    {
        var a = await BurstAsync(4, "/v2/models/simple", KeyA);
        var b = await BurstAsync(1, "/v2/models/simple", KeyB);

        Assert.Equal([200, 200, 200, 429], a.Select(r => r.Status));
        Assert.Equal("rate limit exceeded for key 'a' (3 requests per 3600 s)", a[3].Error);
        Assert.Equal("3600", a[3].RetryAfter);
        Assert.Equal(200, b[0].Status);
    }

    [Fact]
    public async Task PerKeyOverride_HigherLimitApplies()
    {
        var vip = await BurstAsync(6, "/v2/models/simple", KeyVip);

        Assert.All(vip, r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task BurstOverPerModelLimit_429NamesModel_AcrossKeys()
    {
        var first = await BurstAsync(2, "/v2/models/iris", KeyVip);
        var second = await BurstAsync(3, "/v2/models/iris", KeyB);
        var otherModel = await BurstAsync(1, "/v2/models/simple", KeyVip);

        Assert.Equal([200, 200], first.Select(r => r.Status));
        Assert.Equal([200, 200, 429], second.Select(r => r.Status));
        Assert.Equal("rate limit exceeded for model 'iris' (4 requests per 3600 s)", second[2].Error);
        Assert.NotNull(second[2].RetryAfter);
        Assert.Equal(200, otherModel[0].Status);
    }

    [Fact]
    public async Task AnonymousCallers_LimitedPerClientAddress()
    {
        var anonymous = await BurstAsync(2, "/v2/models/simple_identity", key: null);

        Assert.Equal([200, 429], anonymous.Select(r => r.Status));
        Assert.Equal("rate limit exceeded for anonymous client '127.0.0.1' (1 requests per 3600 s)", anonymous[1].Error);
    }

    [Fact]
    public async Task HealthProbes_NeverThrottled()
    {
        var probes = await BurstAsync(5, "/v2/health/ready", key: null);

        Assert.All(probes, r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task Grpc_OverLimit_ResourceExhausted()
    {
        using var client = GrpcClients.Create(
            _host.GrpcAddress, new Dictionary<string, string> { ["x-test-model"] = "simple", ["x-api-key"] = KeyA });
        for (var i = 0; i < 3; i++)
        {
            await client.InferAsync("simple", GrpcClients.SimpleInputs());
        }

        var error = await Assert.ThrowsAsync<TurbineClientException>(() => client.InferAsync("simple", GrpcClients.SimpleInputs()));

        Assert.Equal(StatusCode.ResourceExhausted, error.GrpcStatusCode);
        Assert.Equal("rate limit exceeded for key 'a' (3 requests per 3600 s)", error.ServerMessage);
    }

    [Fact]
    public async Task ConfigReload_UnchangedLimitsKeepCounts_ChangedLimitsApply()
    {
        var before = await BurstAsync(3, "/v2/models/simple", KeyA);
        _host.Config.Set(YamlConfig.Load(Yaml(), _folder.Path));
        var sameLimits = await BurstAsync(1, "/v2/models/simple", KeyA);
        _host.Config.Set(YamlConfig.Load(Yaml(perKey: 10), _folder.Path));
        var raised = await BurstAsync(1, "/v2/models/simple", KeyA);

        Assert.All(before, r => Assert.Equal(200, r.Status));
        Assert.Equal(429, sameLimits[0].Status);
        Assert.Equal(200, raised[0].Status);
    }
}
