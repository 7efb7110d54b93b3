using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Turbine.Client;
using Turbine.Features.Definitions;
using Turbine.Features.Online;
using Turbine.Features.Server;
using Turbine.Features.Serving;

namespace Turbine.Features.Tests;

public sealed class FeatureServerTests : IAsyncLifetime
{
    private readonly TempFolder _folder = RepoBuilder.Create();
    private readonly FeatureMetrics _metrics = new();
    private readonly FixedTime _clock = new(RepoBuilder.T0.AddMinutes(700));
    private IOnlineStore _store = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private FeatureStoreClient _client = null!;

    public async Task InitializeAsync()
    {
        var repo = FeatureRepoLoader.Load(_folder.Path);
        _store = new SqliteOnlineStore(repo.OnlineStore.Path!, repo.Project);
        var url = $"http://127.0.0.1:{Loopback.FreePort()}";
        _app = await FeatureServer.StartAsync(new OnlineFeatureService(repo, _store, _clock), url, _metrics, _clock);
        _http = new HttpClient { BaseAddress = new Uri(url + "/") };
        _client = new FeatureStoreClient(_http);
        await _client.MaterializeAsync(RepoBuilder.T0, RepoBuilder.T0.AddMinutes(720));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _http.Dispose();
        await _app.DisposeAsync();
        await _store.DisposeAsync();
        _metrics.Dispose();
        _folder.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), content);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    /// <summary>The shape of Feast's documented example: metadata.feature_names, results[] of values/statuses/event_timestamps.</summary>
    [Fact]
    public async Task GetOnlineFeatures_MatchesFeastJsonShape()
    {
        var (status, body) = await PostAsync("get-online-features", """
            {"features": ["user_stats:spend", "user_stats:orders"], "entities": {"user_id": [1, 2, 99]}, "full_feature_names": false}
            """);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["metadata", "results"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["feature_names"], body.GetProperty("metadata").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["user_id", "spend", "orders"], body.GetProperty("metadata").GetProperty("feature_names").EnumerateArray().Select(e => e.GetString()));
        var results = body.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(3, results.Length);
        foreach (var r in results)
        {
            Assert.Equal(["values", "statuses", "event_timestamps"], r.EnumerateObject().Select(p => p.Name));
        }

        Assert.Equal("[1,2,99]", results[0].GetProperty("values").GetRawText());
        Assert.Equal("""["PRESENT","PRESENT","PRESENT"]""", results[0].GetProperty("statuses").GetRawText());
        Assert.Equal("""["1970-01-01T00:00:00Z","1970-01-01T00:00:00Z","1970-01-01T00:00:00Z"]""", results[0].GetProperty("event_timestamps").GetRawText());
        Assert.Equal("[21,null,null]", results[1].GetProperty("values").GetRawText());
        Assert.Equal("""["PRESENT","NULL_VALUE","NOT_FOUND"]""", results[1].GetProperty("statuses").GetRawText());
        Assert.Equal("""["2026-01-01T11:00:00Z","2026-01-01T10:00:00Z","1970-01-01T00:00:00Z"]""", results[1].GetProperty("event_timestamps").GetRawText());
        Assert.Equal("[3,5,null]", results[2].GetProperty("values").GetRawText());
    }

    [Fact]
    public async Task Client_FeatureServiceWithFullNames()
    {
        var response = await _client.GetOnlineFeaturesForServiceAsync("fraud_v1", new Dictionary<string, IEnumerable<object?>> { ["user_id"] = [1L], ["amount"] = [66.0] }, fullFeatureNames: true);
        Assert.Equal(["user_id", "user_stats__spend", "user_stats__orders", "user_stats__tier", "derived__amount_ratio"], response.FeatureNames);
        Assert.Equal(3.0, response["derived__amount_ratio"].Values[0].GetDouble());
        Assert.Equal("c", response["user_stats__tier"].Values[0].GetString());
        Assert.Equal("PRESENT", response["user_stats__spend"].Statuses[0]);
    }

    [Theory]
    [InlineData("""{"features": ["user_stats:nope"], "entities": {"user_id": [1]}}""", "unknown feature 'user_stats:nope'")]
    [InlineData("""{"features": ["nope:spend"], "entities": {"user_id": [1]}}""", "unknown feature view 'nope'")]
    [InlineData("""{"features": ["user_stats:spend"], "entities": {"merchant_id": [1]}}""", "unknown entity 'merchant_id'")]
    [InlineData("""{"features": ["user_stats:spend"], "entities": {"user_id": 1}}""", "'entities.user_id': expected an array")]
    [InlineData("""{"features": ["user_stats:spend"], "entities": {"user_id": [1]}""", "not valid JSON")]
    [InlineData("""{"feature_service": "fraud_v2", "entities": {"user_id": [1]}}""", "unknown feature service 'fraud_v2'")]
    public async Task GetOnlineFeatures_BadRequest_Is400NamingIt(string json, string expected)
    {
        var (status, body) = await PostAsync("get-online-features", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_WritesOnline()
    {
        await _client.PushAsync("user_stats_source", new Dictionary<string, IEnumerable<object?>>
        {
            ["user_id"] = [7L],
            ["event_timestamp"] = ["2026-01-01T11:30:00Z"],
            ["spend"] = [70.5],
            ["orders"] = [7L],
            ["tier"] = ["gold"],
        });
        var response = await _client.GetOnlineFeaturesAsync(["user_stats:spend", "user_stats:tier"], new Dictionary<string, IEnumerable<object?>> { ["user_id"] = [7L] });
        Assert.Equal(70.5, response["spend"].Values[0].GetDouble());
        Assert.Equal("gold", response["tier"].Values[0].GetString());
        Assert.True(await _client.IsHealthyAsync());
    }

    [Fact]
    public async Task StoreDown_Is503AndCounted_ServerStaysHealthy()
    {
        var repo = FeatureRepoLoader.Load(_folder.Path);
        await using var down = await RedisOnlineStore.ConnectAsync($"127.0.0.1:{Loopback.FreePort()}", repo.Project, timeout: TimeSpan.FromMilliseconds(300));
        using var metrics = new FeatureMetrics();
        var url = $"http://127.0.0.1:{Loopback.FreePort()}";
        await using var app = await FeatureServer.StartAsync(new OnlineFeatureService(repo, down), url, metrics);
        using var http = new HttpClient { BaseAddress = new Uri(url + "/") };
        using var client = new FeatureStoreClient(http);
        var e = await Assert.ThrowsAsync<TurbineClientException>(() => client.GetOnlineFeaturesAsync(["user_stats:spend"], new Dictionary<string, IEnumerable<object?>> { ["user_id"] = [1L] }));
        Assert.Equal(503, e.StatusCode);
        Assert.Equal(1, metrics.StoreUnavailableTotal);
        Assert.True(await client.IsHealthyAsync());
    }
}
