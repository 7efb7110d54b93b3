using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using OpenTelemetry.Trace;
using Turbine.Core;

namespace Turbine.Server.Tests.Telemetry;

/// <summary>
/// The trace extension's REST routes on a real server whose spans go to an in-memory exporter: the settings decide
/// which request spans are recorded, per model and globally.
/// </summary>
/// <remarks>
/// The <c>Turbine</c> activity source is process-wide: every server's tracer provider in this test process sees every
/// server's spans (and its sampler counts them). These tests count spans, so they run alone.
/// </remarks>
[Collection(TraceSettingsCollection.Name)]
public sealed class TraceSettingsServerTests : IAsyncLifetime
{
    private const string Token = "trace-settings-token-0123456789";
    private readonly SpanBag _spans = new();
    private ServerHarness _harness = null!;

    public async Task InitializeAsync() =>
        _harness = await ServerHarness.StartAsync(tracing: t => t.AddInMemoryExporter(_spans));

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task ModelLevelOff_ThatModelUntracedUntilCleared()
    {
        var (status, body) = await _harness.PostJsonAsync("/v2/models/simple/trace/setting", """{"trace_level":["OFF"]}""");
        Assert.Equal(200, status);
        Assert.Equal(["OFF"], body.GetProperty("trace_level").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["TIMESTAMPS"], (await _harness.GetJsonAsync("/v2/trace/setting")).Body.GetProperty("trace_level").EnumerateArray().Select(e => e.GetString()));
        await InferAsync("off-1");

        (status, body) = await _harness.PostJsonAsync("/v2/models/simple/trace/setting", """{"trace_level":null}""");
        Assert.Equal(200, status);
        Assert.Equal(["TIMESTAMPS"], body.GetProperty("trace_level").EnumerateArray().Select(e => e.GetString()));
        await InferAsync("on-1");

        await WaitForSpanAsync("on-1");
        Assert.DoesNotContain("off-1", RequestIds());
    }

    [Fact]
    public async Task GlobalCountAndRate_RecordsOneInRateUntilCountUsedUp()
    {
        var (status, body) = await _harness.PostJsonAsync("/v2/trace/setting", """{"trace_rate":"2","trace_count":"2"}""");
        Assert.Equal(200, status);
        Assert.Equal("2", body.GetProperty("trace_rate").GetString());
        Assert.Equal("2", body.GetProperty("trace_count").GetString());
        for (var i = 1; i <= 6; i++)
        {
            await InferAsync("c-" + i);
        }

        await WaitForSpanAsync("c-3");
        Assert.Equal("0", (await _harness.GetJsonAsync("/v2/trace/setting")).Body.GetProperty("trace_count").GetString());
        Assert.Equal(200, (await _harness.PostJsonAsync("/v2/trace/setting", """{"trace_rate":"1","trace_count":"-1"}""")).Status);
        await InferAsync("marker");
        await WaitForSpanAsync("marker");
        Assert.Equal(["c-1", "c-3", "marker"], RequestIds().Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("""{"trace_rate":"0"}""", 400, "'trace_rate'")]
    [InlineData("""{"trace_count":"lots"}""", 400, "'trace_count'")]
    [InlineData("""{"trace_level":"LOUD"}""", 400, "unknown level 'LOUD'")]
    [InlineData("""{"trace_level":[1]}""", 400, "'trace_level' must be a string, an array of strings or null")]
    [InlineData("""{"trace_file":"/etc/passwd"}""", 501, "trace file location can not be updated through network protocol")]
    [InlineData("""[1]""", 400, "must be a JSON object")]
    public async Task Post_BadSetting_ErrorNamesItAndNothingChanges(string json, int expected, string message)
    {
        var (status, body) = await _harness.PostJsonAsync("/v2/trace/setting", json.Replace("}", ",\"log_frequency\":\"9\"}", StringComparison.Ordinal));
        Assert.Equal(expected, status);
        Assert.Contains(message, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        var (_, now) = await _harness.GetJsonAsync("/v2/trace/setting");
        Assert.Equal("1", now.GetProperty("trace_rate").GetString());
        Assert.Equal("0", now.GetProperty("log_frequency").GetString());
    }

    [Fact]
    public async Task ModelSetting_UnknownModel_TritonUnknownModelError()
    {
        var (status, body) = await _harness.PostJsonAsync("/v2/models/nosuch/trace/setting", """{"trace_rate":"3"}""");
        Assert.Equal(400, status);
        Assert.Equal("Request for unknown model: 'nosuch' is not found", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task TraceSetting_ManagementTokenSet_RequiredForGetAndPost()
    {
        await using var h = await ServerHarness.StartAsync(configure: o => o with { ManagementToken = Token });
        foreach (var (method, path) in new[] { ("GET", "/v2/trace/setting"), ("POST", "/v2/trace/setting"), ("GET", "/v2/models/simple/trace/setting"), ("POST", "/v2/models/simple/trace/setting") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method == "POST")
            {
                request.Content = new StringContent("""{"trace_rate":"5"}""");
            }

            using var refused = await h.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var allowed = new HttpRequestMessage(HttpMethod.Get, "/v2/trace/setting");
        allowed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await h.Http.SendAsync(allowed);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", (await ServerHarness.ReadJsonAsync(response)).GetProperty("trace_rate").GetString());
    }

    private async Task InferAsync(string id) =>
        Assert.Equal(200, (await _harness.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson(id: id))).Status);

    private async Task WaitForSpanAsync(string id) =>
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(RequestIds().Contains(id)), TimeSpan.FromSeconds(10)), $"no span for request {id}");

    private List<string> RequestIds() =>
        [.. _spans.Where(s => s.OperationName == EngineTracing.InferSpan).Select(s => (string)s.GetTagItem(EngineTracing.RequestIdTag)!)];

    /// <summary>The exporter adds from the server's threads while the test reads.</summary>
    private sealed class SpanBag : ICollection<Activity>
    {
        private readonly ConcurrentQueue<Activity> _items = new();

        public int Count => _items.Count;

        public bool IsReadOnly => false;

        public void Add(Activity item) => _items.Enqueue(item);

        public void Clear() => _items.Clear();

        public bool Contains(Activity item) => _items.Contains(item);

        public void CopyTo(Activity[] array, int arrayIndex) => _items.CopyTo(array, arrayIndex);

        public bool Remove(Activity item) => throw new NotSupportedException();

        public IEnumerator<Activity> GetEnumerator() => _items.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>Runs its tests with no other test running (see <see cref="TraceSettingsServerTests"/>).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TraceSettingsCollection
{
    public const string Name = "trace settings (alone)";
}
