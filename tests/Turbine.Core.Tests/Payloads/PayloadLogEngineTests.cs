using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.Onnx;
using Turbine.Core.Payloads;
using Turbine.Core.Tensors;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Payloads;

/// <summary>Payload logging through the real engine on the <c>simple</c> model.</summary>
public sealed class PayloadLogEngineTests : IDisposable
{
    private readonly TempModelRepository _repo = new("simple");

    public void Dispose() => _repo.Dispose();

    private async Task<InferenceEngine> StartAsync(PayloadLog log, string parameters, bool expectReady = true)
    {
        _repo.AppendConfig("simple", parameters);
        var engine = new InferenceEngine(new EngineOptions { ModelRepository = _repo.Root }, [new OnnxBackend()], NullLogger.Instance, log);
        await engine.StartAsync(CancellationToken.None);
        Assert.Equal(expectReady, engine.IsModelReady("simple", null));
        return engine;
    }

    [Fact]
    public async Task StartAsync_BadPayloadLogMode_ModelUnavailableWithMessage()
    {
        var log = new PayloadLog([new MemorySink()]);
        await using var engine = await StartAsync(log, Params("sometimes"), expectReady: false);

        var entry = Assert.Single(engine.GetRepositoryIndex(readyOnly: false), e => e.Name == "simple");
        Assert.Contains("parameter 'payload_log': expected all, request, response or off, got 'sometimes'", entry.Reason, StringComparison.Ordinal);
    }

    private static string Params(string mode, string extra = "") =>
        $"parameters {{ key: \"payload_log\" value: {{ string_value: \"{mode}\" }} }}\n{extra}";

    private static async Task SendAsync(InferenceEngine engine, int count, int callers, Func<int, InferenceRequest>? build = null)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                using var request = build is null ? TestEngine.Simple() : build(i);
                request.Id = "req-" + i;
                var result = await engine.InferAsync(request, CancellationToken.None);
                if (result.IsOk)
                {
                    result.Value.Dispose();
                }
            }
        })));
    }

    [Fact]
    public async Task InferAsync_500ConcurrentRequests_LogHoldsExactlyTheRequestsSent()
    {
        var sink = new MemorySink();
        var log = new PayloadLog([sink]);
        await using var engine = await StartAsync(log, Params("all"));

        await SendAsync(engine, 500, 8);
        await log.FlushAsync(TimeSpan.FromSeconds(30));

        var ids = sink.Records.Select(r => r.GetProperty("id").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(0, 500).Select(i => "req-" + i).Order(StringComparer.Ordinal), ids);
        Assert.Equal(0, log.DroppedCount);
        var first = sink.Records.First();
        Assert.Equal(("simple", "1", "ok"), (first.GetProperty("model").GetString(), first.GetProperty("version").GetString(), first.GetProperty("status").GetString()));
        Assert.Equal(2, first.GetProperty("inputs").GetArrayLength());
        var output0 = first.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "OUTPUT0");
        Assert.Equal(Enumerable.Range(0, 16).Select(i => i + (2 * i) + 1), output0.GetProperty("data").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(first.GetProperty("latency_us").GetInt64() >= 0);
        Assert.True(DateTimeOffset.Parse(first.GetProperty("end").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= DateTimeOffset.Parse(first.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task InferAsync_ExcludedRequests_NotLoggedOthersAre()
    {
        var sink = new MemorySink();
        var log = new PayloadLog([sink]);
        await using var engine = await StartAsync(log, Params("all"));

        // Even ids are the server's own requests (an explanation's perturbed rows), odd ids a client's.
        await SendAsync(engine, 20, 2, i =>
        {
            var request = TestEngine.Simple();
            request.ExcludeFromPayloadLog = i % 2 == 0;
            return request;
        });
        await log.FlushAsync(TimeSpan.FromSeconds(30));

        var ids = sink.Records.Select(r => r.GetProperty("id").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(0, 20).Where(i => i % 2 == 1).Select(i => "req-" + i).Order(StringComparer.Ordinal), ids);
    }

    [Fact]
    public async Task InferAsync_SinkBlocked_RequestsCompleteAndDropsAreCounted()
    {
        var sink = new MemorySink(blocked: true);
        var log = new PayloadLog([sink], capacity: 8);
        await using var engine = await StartAsync(log, Params("all"));

        // Every request completes while the sink is still blocked: the request path never waits on the log.
        await SendAsync(engine, 200, 8);

        Assert.True(log.DroppedCount > 0);
        Assert.Equal(200, log.AcceptedCount + log.DroppedCount);
        sink.Release();
        await log.FlushAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(200, sink.Records.Count + log.DroppedCount);
    }

    [Fact]
    public async Task InferAsync_InvalidRequest_LoggedWithErrorCodeAndMessage()
    {
        var sink = new MemorySink();
        var log = new PayloadLog([sink]);
        await using var engine = await StartAsync(log, Params("request"));
        using var request = new InferenceRequest("simple") { Id = "bad-1" };
        request.Inputs.Add(new InferenceTensor("INPUT0", TensorDataType.Int32, [1, 15], new byte[60]));

        var result = await engine.InferAsync(request, CancellationToken.None);
        await log.FlushAsync(TimeSpan.FromSeconds(10));

        Assert.False(result.IsOk);
        var record = Assert.Single(sink.Records);
        Assert.Equal("bad-1", record.GetProperty("id").GetString());
        Assert.Equal(result.Error.Code.ToString(), record.GetProperty("status").GetString());
        Assert.Equal(result.Error.Message, record.GetProperty("error").GetString());
        Assert.False(record.TryGetProperty("outputs", out _));
    }

    [Fact]
    public async Task InferAsync_RedactAndMaxElements_RedactsNamedTensorAndTruncatesOthers()
    {
        var sink = new MemorySink();
        var log = new PayloadLog([sink]);
        await using var engine = await StartAsync(log, Params("all",
            "parameters { key: \"payload_log_redact\" value: { string_value: \"INPUT1, OUTPUT1\" } }\n" +
            "parameters { key: \"payload_log_max_elements\" value: { string_value: \"4\" } }"));
        using var request = TestEngine.Simple();
        request.Id = "r";

        using var response = await TestEngine.InferOkAsync(engine, request);
        await log.FlushAsync(TimeSpan.FromSeconds(10));

        var record = Assert.Single(sink.Records);
        var tensors = record.GetProperty("inputs").EnumerateArray().Concat(record.GetProperty("outputs").EnumerateArray())
            .ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal([0, 1, 2, 3], tensors["INPUT0"].GetProperty("data").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(tensors["INPUT0"].GetProperty("truncated").GetBoolean());
        Assert.Equal([1, 16], tensors["INPUT0"].GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(tensors["INPUT1"].GetProperty("redacted").GetBoolean());
        Assert.False(tensors["INPUT1"].TryGetProperty("data", out _));
        Assert.True(tensors["OUTPUT1"].GetProperty("redacted").GetBoolean());
        Assert.Equal([1, 4, 7, 10], tensors["OUTPUT0"].GetProperty("data").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task InferAsync_ModeOff_LogsNothing()
    {
        var sink = new MemorySink();
        var log = new PayloadLog([sink]);
        await using var engine = await StartAsync(log, Params("off"));

        await SendAsync(engine, 5, 1);
        await log.FlushAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((0L, 0), (log.AcceptedCount, sink.Records.Count));
    }
}
