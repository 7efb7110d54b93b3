using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Gateway.Logging;
using Turbine.Gateway.Auth;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Logging;

/// <summary>Access-log lines written by real requests through the edge, read back from the log file.</summary>
[Collection(BackendCollection.Name)]
public sealed class AccessLogTests(BackendFixture backend) : IAsyncLifetime
{
    private const string Key = "log-key";
    private readonly TempFolder _folder = new();
    private EdgeHost _host = null!;

    private string LogFile => _folder.File("access.log");

    private static string Yaml(string accessLog) => $"""
        auth:
          apiKeys:
            - id: logger-test
              hash: {ApiKeyHasher.Hash(Key)}
        accessLog:
        {accessLog}
        """;

    public async Task InitializeAsync() =>
        _host = await EdgeHost.StartAsync(backend.Server, YamlConfig.Load(Yaml("  path: access.log\n  excludePaths: [/v2/health/live]"), _folder.Path));

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<List<JsonElement>> WaitForLinesAsync(int count)
    {
        var lines = new List<JsonElement>();
        var ok = await Poll.UntilAsync(
            () =>
            {
                lines.Clear();
                if (File.Exists(LogFile))
                {
                    using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    using var reader = new StreamReader(stream);
                    foreach (var line in reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    {
                        using var document = JsonDocument.Parse(line);
                        lines.Add(document.RootElement.Clone());
                    }
                }

                return Task.FromResult(lines.Count >= count);
            },
            TimeSpan.FromSeconds(10));
        Assert.True(ok, $"expected {count} access-log lines, found {lines.Count}");
        return lines;
    }

    [Fact]
    public async Task Infer_LineHasRequestFactsAndIncomingTraceId()
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        var request = Bodies.Post("/v2/models/simple/infer", Bodies.SimpleV2(), apiKey: Key);
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        request.Headers.UserAgent.ParseAdd("edge-test/1.0");
        var sent = await request.Content!.ReadAsByteArrayAsync();

        using var response = await _host.Http.SendAsync(request);
        var received = await response.Content.ReadAsByteArrayAsync();
        var line = Assert.Single(await WaitForLinesAsync(1));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("POST", line.GetProperty("method").GetString());
        Assert.Equal("/v2/models/simple/infer", line.GetProperty("path").GetString());
        Assert.Equal("rest", line.GetProperty("protocol").GetString());
        Assert.Equal("simple", line.GetProperty("model").GetString());
        Assert.Equal("infer", line.GetProperty("operation").GetString());
        Assert.Equal(200, line.GetProperty("status").GetInt32());
        Assert.Equal(sent.Length, line.GetProperty("bytes_in").GetInt64());
        Assert.Equal(received.Length, line.GetProperty("bytes_out").GetInt64());
        Assert.Equal("logger-test", line.GetProperty("caller").GetString());
        Assert.Equal("test-pool", line.GetProperty("pool").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("target_version").ValueKind);
        Assert.Equal(backend.Server.HttpAddress.Authority, line.GetProperty("destination").GetString());
        Assert.Equal(0, line.GetProperty("retries").GetInt32());
        Assert.Equal(traceId, line.GetProperty("trace_id").GetString());
        Assert.Matches("^[0-9a-f]{16}$", line.GetProperty("span_id").GetString());
        Assert.Equal("edge-test/1.0", line.GetProperty("user_agent").GetString());
        Assert.True(line.GetProperty("duration_ms").GetDouble() >= 0);
        Assert.True(DateTimeOffset.TryParse(line.GetProperty("timestamp").GetString(), out var at));
        Assert.Equal(TimeSpan.Zero, at.Offset);
        Assert.DoesNotContain(Key, line.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedAndTranslatedRequests_LoggedWithStatusAndOriginalPath()
    {
        using var refused = await _host.Http.SendAsync(Bodies.Get("/v2/models/iris"));
        using var v1 = await _host.Http.SendAsync(Bodies.Post("/v1/models/iris:predict", "{\"instances\":[[5.1,3.5,1.4,0.2]]}", apiKey: Key));
        var lines = await WaitForLinesAsync(2);

        Assert.Equal(401, lines[0].GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.Null, lines[0].GetProperty("caller").ValueKind);
        Assert.Equal(JsonValueKind.Null, lines[0].GetProperty("pool").ValueKind);
        Assert.Equal(200, lines[1].GetProperty("status").GetInt32());
        Assert.Equal("/v1/models/iris:predict", lines[1].GetProperty("path").GetString());
        Assert.Equal("v1", lines[1].GetProperty("protocol").GetString());
        Assert.Equal(await v1.Content.ReadAsByteArrayAsync() is var body ? body.Length : -1, lines[1].GetProperty("bytes_out").GetInt64());
    }

    [Fact]
    public async Task Grpc_LineHasGrpcStatus()
    {
        using var client = GrpcClients.Create(_host.GrpcAddress, new Dictionary<string, string> { ["x-test-model"] = "simple", ["x-api-key"] = Key });
        await client.InferAsync("simple", GrpcClients.SimpleInputs());
        var line = Assert.Single(await WaitForLinesAsync(1));

        Assert.Equal("grpc", line.GetProperty("protocol").GetString());
        Assert.Equal("/inference.GRPCInferenceService/ModelInfer", line.GetProperty("path").GetString());
        Assert.Equal(0, line.GetProperty("grpc_status").GetInt32());
        Assert.True(line.GetProperty("bytes_in").GetInt64() > 128);
        Assert.True(line.GetProperty("bytes_out").GetInt64() > 128);
    }

    [Fact]
    public async Task SampledOut_OnlyErrorsLogged_ExcludedPathsNever()
    {
        _host.Config.Set(YamlConfig.Load(Yaml("  path: access.log\n  sampleRate: 0\n  excludePaths: [/v2/health/*]"), _folder.Path));

        using var ok = await _host.Http.SendAsync(Bodies.Get("/v2/models/simple", apiKey: Key));
        using var health = await _host.Http.GetAsync("/v2/health/ready");
        using var denied = await _host.Http.SendAsync(Bodies.Get("/v2/models/simple", apiKey: "wrong"));
        var lines = await WaitForLinesAsync(1);

        Assert.Equal(200, (int)ok.StatusCode);
        Assert.Equal(200, (int)health.StatusCode);
        Assert.Equal(401, Assert.Single(lines).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task SampleRateHalf_SeededSampler_LogsExactlyTheSampledRequests()
    {
        using var folder = new TempFolder();
        await using var host = await EdgeHost.StartAsync(
            backend.Server,
            YamlConfig.Load("accessLog: {path: access.log, sampleRate: 0.5}", folder.Path),
            s => s.AddSingleton(new AccessLogSampler(new Random(42))));
        var expected = SampledCount(42, 20, 0.5);
        for (var i = 0; i < 20; i++)
        {
            using var response = await host.Http.GetAsync($"/v2/models/simple?i={i}");
            Assert.Equal(200, (int)response.StatusCode);
        }

        using var marker = await host.Http.GetAsync("/v2/models/no_such_model"); // an error: always logged, comes last
        var path = folder.File("access.log");
        Assert.True(await Poll.UntilAsync(
            () => Task.FromResult(File.Exists(path) && ReadShared(path).Contains("no_such_model", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10)));
        var lines = ReadShared(path).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.InRange(expected, 1, 19);
        Assert.Equal(expected + 1, lines.Length);
    }

    private static int SampledCount(int seed, int requests, double rate)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, requests).Count(_ => random.NextDouble() < rate);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [Fact]
    public async Task Disabled_NothingWritten_ReenabledWritesAgain()
    {
        _host.Config.Set(YamlConfig.Load(Yaml("  enabled: false\n  path: access.log"), _folder.Path));
        using (await _host.Http.SendAsync(Bodies.Get("/v2/models/simple", apiKey: "wrong")))
        {
        }

        _host.Config.Set(YamlConfig.Load(Yaml("  path: access.log"), _folder.Path));
        using (await _host.Http.SendAsync(Bodies.Get("/v2/models/iris", apiKey: Key)))
        {
        }

        var line = Assert.Single(await WaitForLinesAsync(1));
        Assert.Equal("/v2/models/iris", line.GetProperty("path").GetString());
    }
}
