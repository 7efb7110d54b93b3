using System.Collections;
using System.Diagnostics;
using Grpc.Core;
using OpenTelemetry.Trace;
using Turbine.Core;
using Turbine.Core.Tensors;
using Turbine.Server.Tests.Grpc;

namespace Turbine.Server.Tests.Telemetry;

/// <summary>
/// Spans through the real OpenTelemetry SDK with the in-memory exporter: the caller's W3C context is the parent of
/// <c>turbine.infer</c> for REST and gRPC, the stage spans are its children, the response carries its traceparent.
/// </summary>
public sealed class TracingTests : IAsyncLifetime
{
    private readonly SpanList _spans = new();
    private ServerHarness _harness = null!;

    public async Task InitializeAsync() =>
        _harness = await ServerHarness.StartAsync(tracing: t => t.AddInMemoryExporter(_spans));

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task RestInfer_Traceparent_IsParentOfInferSpan()
    {
        var (traceId, parentId, traceparent) = NewCallerContext();
        using var response = await _harness.PostBytesAsync("/v2/models/simple/infer",
            System.Text.Encoding.UTF8.GetBytes(ServerHarness.SimpleJson(id: "rest-1")),
            configure: r => r.Headers.Add("traceparent", traceparent));
        Assert.Equal(200, (int)response.StatusCode);

        var returned = response.Headers.GetValues("traceparent").Single();
        var infer = await InferSpanAsync(traceId);
        AssertSpan(infer, traceId, parentId, "http", "rest-1");
        Assert.Equal($"00-{traceId}-{infer.SpanId}-01", returned);
    }

    [Fact]
    public async Task GrpcInfer_TraceparentMetadata_IsParentOfInferSpan()
    {
        var (traceId, parentId, traceparent) = NewCallerContext();
        using var client = new GrpcTestClient(_harness.Server.GrpcAddress);
        using var call = client.Client.ModelInferAsync(GrpcTestClient.SimpleRaw(id: "grpc-1"),
            new Metadata { { "traceparent", traceparent } });
        var reply = await call.ResponseAsync;
        Assert.Equal("simple", reply.ModelName);

        var headers = await call.ResponseHeadersAsync;
        var returned = headers.GetValue("traceparent");
        var infer = await InferSpanAsync(traceId);
        AssertSpan(infer, traceId, parentId, "grpc", "grpc-1");
        Assert.Equal($"00-{traceId}-{infer.SpanId}-01", returned);
    }

    [Fact]
    public async Task RestInfer_UnknownModel_SpanRecordsOutcome()
    {
        var (traceId, _, traceparent) = NewCallerContext();
        using var response = await _harness.PostBytesAsync("/v2/models/nosuch/infer",
            System.Text.Encoding.UTF8.GetBytes(ServerHarness.SimpleJson()),
            configure: r => r.Headers.Add("traceparent", traceparent));
        Assert.Equal(400, (int)response.StatusCode);

        var infer = await InferSpanAsync(traceId);
        Assert.Equal(nameof(Core.StatusCode.InvalidArgument), infer.GetTagItem(EngineTracing.OutcomeTag));
        Assert.Equal(ActivityStatusCode.Error, infer.Status);
    }

    [Fact]
    public async Task EngineInfer_DirectCallerNoFrontEnd_GetsSpanAndOneDurationObservation()
    {
        var (traceId, parentId, _) = NewCallerContext();
        using var request = SimpleRequest("direct-1", version: null);
        request.TraceParent = Context(traceId, parentId);
        var result = await _harness.Server.Engine.InferAsync(request, CancellationToken.None);
        Assert.True(result.IsOk, result.IsOk ? null : result.Error.Message);

        // The request ends when its response is released: until then neither the span nor the observation exists.
        Assert.Equal(InferenceRequest.InProcessProtocol, request.Protocol);
        Assert.Equal(traceId, request.Activity?.TraceId.ToHexString());
        Assert.DoesNotContain(_spans.Snapshot(), s => s.OperationName == EngineTracing.InferSpan && s.TraceId.ToHexString() == traceId);
        Assert.Equal(0, (await MetricsScrape.GetAsync(_harness.Server)).Sum("turbine_request_duration_seconds_count"));

        result.Value.Dispose();
        result.Value.Dispose();

        var infer = await InferSpanAsync(traceId);
        AssertSpan(infer, traceId, parentId, InferenceRequest.InProcessProtocol, "direct-1");
        Assert.Single(_spans.Snapshot(), s => s.OperationName == EngineTracing.InferSpan && s.TraceId.ToHexString() == traceId);
        var scrape = await MetricsScrape.GetAsync(_harness.Server);
        Assert.Equal(1, scrape.Sum("turbine_request_duration_seconds_count"));
        Assert.Equal(1, scrape.Sum("turbine_request_duration_seconds_count", ("model", "simple"), ("version", "1"), ("protocol", "inprocess"), ("outcome", "success")));
        Assert.Equal(1, scrape.Sum("nv_inference_request_success", ("model", "simple")));
    }

    [Fact]
    public async Task EngineInfer_DirectCallerUnknownVersion_SpanAndObservationCarryTheError()
    {
        var (traceId, parentId, _) = NewCallerContext();
        using var request = SimpleRequest("direct-2", version: 77);
        request.TraceParent = Context(traceId, parentId);
        var result = await _harness.Server.Engine.InferAsync(request, CancellationToken.None);
        Assert.False(result.IsOk);

        var infer = await InferSpanAsync(traceId);
        Assert.Equal(nameof(Core.StatusCode.NotFound), infer.GetTagItem(EngineTracing.OutcomeTag));
        Assert.Equal(77L, infer.GetTagItem(EngineTracing.VersionTag));
        Assert.Equal(ActivityStatusCode.Error, infer.Status);
        Assert.Equal(result.Error.Message, infer.StatusDescription);
        var scrape = await MetricsScrape.GetAsync(_harness.Server);
        Assert.Equal(1, scrape.Sum("turbine_request_duration_seconds_count"));
        Assert.Equal(1, scrape.Sum("turbine_request_duration_seconds_count", ("model", "simple"), ("version", ""), ("protocol", "inprocess"), ("outcome", "not_found")));
    }

    [Fact]
    public async Task RestInfer_UnparseableBody_RefusedRequestGetsSpanAndObservation()
    {
        var (traceId, parentId, traceparent) = NewCallerContext();
        using var response = await _harness.PostBytesAsync("/v2/models/simple/infer", "{\"inputs\":["u8.ToArray(),
            configure: r => r.Headers.Add("traceparent", traceparent));
        Assert.Equal(400, (int)response.StatusCode);

        var infer = await InferSpanAsync(traceId);
        Assert.Equal(parentId, infer.ParentSpanId.ToHexString());
        Assert.Equal("http", infer.GetTagItem(EngineTracing.ProtocolTag));
        Assert.Equal(nameof(Core.StatusCode.InvalidArgument), infer.GetTagItem(EngineTracing.OutcomeTag));
        Assert.Equal($"00-{traceId}-{infer.SpanId}-01", response.Headers.GetValues("traceparent").Single());

        // Counted once, under the front end's protocol; the engine's own statistics never saw it.
        var scrape = await MetricsScrape.GetAsync(_harness.Server);
        Assert.Equal(1, scrape.Sum("turbine_request_duration_seconds_count"));
        Assert.Equal(1, scrape.Sum("turbine_request_duration_seconds_count", ("model", "simple"), ("protocol", "http"), ("outcome", "invalid_argument")));
        Assert.Equal(0, scrape.Sum("nv_inference_request_failure", ("model", "simple")));
    }

    /// <summary>The <c>simple</c> model's two INT32 [1,16] inputs, built in process as a library caller would.</summary>
    private static InferenceRequest SimpleRequest(string id, long? version)
    {
        var request = new InferenceRequest("simple", version) { Id = id };
        foreach (var name in new[] { "INPUT0", "INPUT1" })
        {
            var data = new byte[16 * sizeof(int)];
            for (var i = 0; i < 16; i++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i * sizeof(int)), i);
            }

            request.Inputs.Add(new InferenceTensor(name, TensorDataType.Int32, [1, 16], data));
        }

        return request;
    }

    private static ActivityContext Context(string traceId, string parentId) =>
        new(ActivityTraceId.CreateFromString(traceId), ActivitySpanId.CreateFromString(parentId), ActivityTraceFlags.Recorded, isRemote: true);

    private void AssertSpan(Activity infer, string traceId, string parentId, string protocol, string requestId)
    {
        Assert.Equal(traceId, infer.TraceId.ToHexString());
        Assert.Equal(parentId, infer.ParentSpanId.ToHexString());
        Assert.Equal(ActivityKind.Server, infer.Kind);
        Assert.Equal("simple", infer.GetTagItem(EngineTracing.ModelTag));
        Assert.Equal(1L, infer.GetTagItem(EngineTracing.VersionTag));
        Assert.Equal(protocol, infer.GetTagItem(EngineTracing.ProtocolTag));
        Assert.Equal(requestId, infer.GetTagItem(EngineTracing.RequestIdTag));
        Assert.Equal("Ok", infer.GetTagItem(EngineTracing.OutcomeTag));

        var children = _spans.Snapshot().Where(s => s.ParentSpanId == infer.SpanId).ToList();
        string[] stages = [EngineTracing.QueueSpan, EngineTracing.ComputeInputSpan, EngineTracing.ComputeInferSpan, EngineTracing.ComputeOutputSpan];
        Assert.Equal(stages, children.OrderBy(c => c.StartTimeUtc).ThenBy(c => Array.IndexOf(stages, c.OperationName)).Select(c => c.OperationName));
        Assert.All(children, c => Assert.Equal(infer.TraceId, c.TraceId));
        Assert.All(children, c => Assert.True(c.StartTimeUtc >= infer.StartTimeUtc.AddMilliseconds(-1), $"{c.OperationName} starts before the request"));
    }

    private async Task<Activity> InferSpanAsync(string traceId)
    {
        Activity? found = null;
        var seen = await ServerHarness.EventuallyAsync(() =>
        {
            found = _spans.Snapshot().FirstOrDefault(s => s.OperationName == EngineTracing.InferSpan && s.TraceId.ToHexString() == traceId);
            return Task.FromResult(found is not null);
        }, TimeSpan.FromSeconds(10));
        Assert.True(seen, $"no {EngineTracing.InferSpan} span exported for trace {traceId}");
        return found!;
    }

    private static (string TraceId, string ParentId, string Traceparent) NewCallerContext()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var parentId = ActivitySpanId.CreateRandom().ToHexString();
        return (traceId, parentId, $"00-{traceId}-{parentId}-01");
    }

    /// <summary>The exporter adds from the server's threads while the test reads.</summary>
    private sealed class SpanList : ICollection<Activity>
    {
        private readonly List<Activity> _items = [];

        public int Count
        {
            get
            {
                lock (_items)
                {
                    return _items.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public Activity[] Snapshot()
        {
            lock (_items)
            {
                return [.. _items];
            }
        }

        public void Add(Activity item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public void Clear()
        {
            lock (_items)
            {
                _items.Clear();
            }
        }

        public bool Contains(Activity item) => Snapshot().Contains(item);

        public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

        public bool Remove(Activity item)
        {
            lock (_items)
            {
                return _items.Remove(item);
            }
        }

        public IEnumerator<Activity> GetEnumerator() => ((IEnumerable<Activity>)Snapshot()).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
