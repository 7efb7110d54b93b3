using System.Diagnostics;

namespace Turbine.Core;

/// <summary>
/// Turbine's spans: one <c>turbine.infer</c> span per inference request (started and ended by the engine, under
/// the caller's trace context and with the protocol the front end put on the request) with <c>turbine.queue</c>, <c>turbine.compute_input</c>,
/// <c>turbine.compute_infer</c> and <c>turbine.compute_output</c> children derived from the timings the engine
/// measures anyway. With no listener on <see cref="SourceName"/> nothing is allocated.
/// </summary>
public static class EngineTracing
{
    public const string SourceName = "Turbine";
    public const string InferSpan = "turbine.infer";
    public const string QueueSpan = "turbine.queue";
    public const string ComputeInputSpan = "turbine.compute_input";
    public const string ComputeInferSpan = "turbine.compute_infer";
    public const string ComputeOutputSpan = "turbine.compute_output";

    public const string ModelTag = "turbine.model";
    public const string VersionTag = "turbine.model_version";
    public const string RequestIdTag = "turbine.request_id";
    public const string ProtocolTag = "turbine.protocol";
    public const string OutcomeTag = "turbine.outcome";
    public const string CacheHitTag = "turbine.cache_hit";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Starts the request span as a child of <paramref name="parent"/> (the caller's W3C context; default = a new
    /// trace), beginning at <paramref name="startTimestamp"/> (<see cref="Stopwatch"/> ticks: when the front end
    /// received the request). Null when no listener samples it.
    /// </summary>
    internal static Activity? StartInfer(string model, string protocol, ActivityContext parent, long startTimestamp)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // The parent is given explicitly: an Activity.Current left by the host (never exported) must not sit
        // between the caller's span and Turbine's.
        var previous = Activity.Current;
        Activity.Current = null;
        // The tags are given at start so a sampler can decide by model (the trace settings are per model).
        var startTime = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(startTimestamp);
        var activity = Source.StartActivity(InferSpan, ActivityKind.Server, parent,
            [new KeyValuePair<string, object?>(ModelTag, model), new KeyValuePair<string, object?>(ProtocolTag, protocol)], startTime: startTime);
        if (activity is null)
        {
            Activity.Current = previous;
            return null;
        }

        return activity;
    }

    /// <summary>Records how the request ended on its span and stops it.</summary>
    internal static void StopInfer(Activity? activity, long? version, StatusCode outcome, string? message)
    {
        if (activity is null)
        {
            return;
        }

        if (version is { } v)
        {
            activity.SetTag(VersionTag, v);
        }

        activity.SetTag(OutcomeTag, outcome.ToString());
        activity.SetStatus(outcome == StatusCode.Ok ? ActivityStatusCode.Ok : ActivityStatusCode.Error, message);

        // A response is released on the front end's thread, where the span is not the current activity: stopping it
        // must not change what is current there.
        var current = Activity.Current;
        activity.Stop();
        if (!ReferenceEquals(current, activity))
        {
            Activity.Current = current;
        }
    }

    /// <summary>The request span when its data is recorded (the engine tags it and adds the stage spans), else null.</summary>
    internal static Activity? Recorded(Activity? span) => span is { IsAllDataRequested: true } ? span : null;

    /// <summary>
    /// Adds the queue and compute spans under <paramref name="parent"/>, laid end to end from
    /// <paramref name="queueStart"/> with the measured durations.
    /// </summary>
    internal static void RecordStages(Activity parent, DateTimeOffset queueStart, long queueNs, long inputNs, long inferNs, long outputNs)
    {
        var t = queueStart;
        t = Stage(parent, QueueSpan, t, queueNs);
        t = Stage(parent, ComputeInputSpan, t, inputNs);
        t = Stage(parent, ComputeInferSpan, t, inferNs);
        Stage(parent, ComputeOutputSpan, t, outputNs);
    }

    private static DateTimeOffset Stage(Activity parent, string name, DateTimeOffset start, long ns)
    {
        var end = start + TimeSpan.FromTicks(Math.Max(0, ns) / 100);
        var child = Source.StartActivity(name, ActivityKind.Internal, parent.Context, startTime: start);
        if (child is not null)
        {
            child.SetEndTime(end.UtcDateTime);
            child.Stop();
        }

        return end;
    }
}
