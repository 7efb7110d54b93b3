using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.Onnx;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests;

/// <summary>
/// The engine owns each request's telemetry: one observation per request (at response release, or when it fails or
/// is refused), labels bounded by what the engine knows, and the <c>turbine.infer</c> span started and stopped by it.
/// </summary>
public sealed class RequestTelemetryTests : IDisposable
{
    private readonly TempModelRepository _repo = new("simple");
    private readonly Observer _observer = new();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task InferAsync_DirectCaller_ObservedOnceWhenResponseReleased()
    {
        await using var engine = await StartAsync();
        using var request = TestEngine.Simple();
        request.ReceivedTimestamp = Stopwatch.GetTimestamp() - (Stopwatch.Frequency * 3600);

        var response = await TestEngine.InferOkAsync(engine, request);
        Assert.Empty(_observer.Completions);
        response.Dispose();
        response.Dispose();

        var seen = Assert.Single(_observer.Completions);
        Assert.Equal(("simple", 1L, InferenceRequest.InProcessProtocol, StatusCode.Ok), (seen.Model, seen.Version, seen.Protocol, seen.Outcome));
        Assert.True(seen.Duration >= TimeSpan.FromHours(1), $"the duration counts from the given receive time, got {seen.Duration}");
    }

    [Fact]
    public async Task InferAsync_UnknownVersion_ObservedOnceWithBoundedVersion()
    {
        await using var engine = await StartAsync();
        using var request = TestEngine.Simple(version: 900);
        request.Protocol = "grpc";

        var error = await TestEngine.InferErrorAsync(engine, request);

        var seen = Assert.Single(_observer.Completions);
        Assert.Equal(("simple", -1L, "grpc", error.Code), (seen.Model, seen.Version, seen.Protocol, seen.Outcome));
    }

    [Fact]
    public async Task RecordRefused_NamesTheEngineDoesNotKnow_CountedUnderFixedLabels()
    {
        await using var engine = await StartAsync();

        foreach (var (model, version) in new (string, long?)[] { ("nosuch-1", 3), ("simple", 900), ("simple", 1), ("simple", null) })
        {
            using var refused = new InferenceRequest(model, version) { Protocol = "http" };
            engine.RecordRefused(refused, InferenceError.InvalidArgument("unreadable body"));
        }

        Assert.Equal(
            [(InferenceEngine.UnknownModelLabel, -1L), ("simple", -1L), ("simple", 1L), ("simple", -1L)],
            _observer.Completions.Select(c => (c.Model, c.Version)));
        Assert.All(_observer.Completions, c => Assert.Equal(("http", StatusCode.InvalidArgument), (c.Protocol, c.Outcome)));
    }

    [Fact]
    public async Task InferAsync_Listened_EngineStartsSpanUnderParentAndStopsItOnRelease()
    {
        await using var engine = await StartAsync();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == EngineTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        using var request = TestEngine.Simple();
        request.TraceParent = parent;
        request.Id = "span-1";

        var response = await TestEngine.InferOkAsync(engine, request);
        var span = request.Activity;
        Assert.NotNull(span);
        Assert.False(span.IsStopped);
        response.Dispose();

        Assert.True(span.IsStopped);
        Assert.Equal((EngineTracing.InferSpan, parent.TraceId, parent.SpanId), (span.OperationName, span.TraceId, span.ParentSpanId));
        Assert.Equal(InferenceRequest.InProcessProtocol, span.GetTagItem(EngineTracing.ProtocolTag));
        Assert.Equal("span-1", span.GetTagItem(EngineTracing.RequestIdTag));
        Assert.Equal("Ok", span.GetTagItem(EngineTracing.OutcomeTag));
        Assert.Equal(1L, span.GetTagItem(EngineTracing.VersionTag));
    }

    private async Task<InferenceEngine> StartAsync()
    {
        var engine = new InferenceEngine(new EngineOptions { ModelRepository = _repo.Root }, [new OnnxBackend()], NullLogger.Instance, requestObserver: _observer);
        await engine.StartAsync(CancellationToken.None);
        return engine;
    }

    /// <summary>Keeps what the engine reports, in order.</summary>
    private sealed class Observer : IRequestObserver
    {
        private readonly ConcurrentQueue<RequestCompletion> _completions = new();

        public IReadOnlyList<RequestCompletion> Completions => [.. _completions];

        public void RequestCompleted(in RequestCompletion completion) => _completions.Enqueue(completion);
    }
}
