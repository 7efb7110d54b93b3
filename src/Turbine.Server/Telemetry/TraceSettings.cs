using System.Collections.Frozen;
using System.Globalization;
using Turbine.Core;

namespace Turbine.Server.Telemetry;

/// <summary>
/// Triton's trace settings (<c>trace_level</c>, <c>trace_rate</c>, <c>trace_count</c>, <c>log_frequency</c>,
/// <c>trace_file</c>, <c>trace_mode</c>), global and per model, mapped onto Turbine's OpenTelemetry spans by
/// <see cref="TraceSettingsSampler"/>: level OFF records nothing, a rate of N records 1 in N new traces, a count
/// stops recording after that many traces (-1 = no limit). A model's setting overrides the global one; clearing it
/// (null / no value) falls back to the global one again. <c>log_frequency</c> and <c>trace_file</c> are kept and
/// reported but change nothing (spans go to the OTLP exporter, not to files).
/// </summary>
/// <remarks>
/// The request path reads an immutable snapshot (swapped atomically on update) and touches only two counters of one
/// scope with <see cref="Interlocked"/>; updates are serialised by a lock. Per-model entries exist only for models
/// that were ready when set, so their number is bounded by the repository.
/// </remarks>
internal sealed class TraceSettings
{
    public const string Level = "trace_level";
    public const string Rate = "trace_rate";
    public const string Count = "trace_count";
    public const string LogFrequency = "log_frequency";
    public const string File = "trace_file";
    public const string Mode = "trace_mode";
    public const string ModeName = "opentelemetry";

    private readonly Lock _update = new();
    private volatile Snapshot _current;

    /// <param name="enabled">Whether spans go anywhere (an exporter is configured): the initial level is TIMESTAMPS then, else OFF.</param>
    public TraceSettings(bool enabled)
    {
        _current = new Snapshot(
            new Scope(enabled ? TraceLevel.Timestamps : TraceLevel.Off, 1, 0, hasCount: true, remaining: -1, seen: 0),
            FrozenDictionary<string, Scope>.Empty);
    }

    /// <summary>Trace levels as Triton names them; OFF is the empty set.</summary>
    [Flags]
    internal enum TraceLevel
    {
        Off = 0,
        Timestamps = 1,
        Tensors = 2,
    }

    /// <summary>The effective settings of one model (or the global ones when <paramref name="model"/> is null), as Triton reports them.</summary>
    public IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Get(string? model)
    {
        var s = _current;
        var m = model is null ? null : s.Models.GetValueOrDefault(model);
        var g = s.Global;
        var level = m?.Level ?? g.Level!.Value;
        var count = m is { HasCount: true } ? m : g;
        return
        [
            new(Level, level == TraceLevel.Off ? ["OFF"] : [.. LevelNames(level)]),
            new(Rate, [Text(m?.Rate ?? g.Rate!.Value)]),
            new(Count, [Text(Volatile.Read(ref count.Remaining))]),
            new(LogFrequency, [Text(m?.LogFrequency ?? g.LogFrequency!.Value)]),
            new(File, [""]),
            new(Mode, [ModeName]),
        ];
    }

    /// <summary>
    /// Applies a change of one scope: each setting has its new values, or null to clear it (per model: fall back to
    /// the global value; globally: nothing to clear, the value stays). Nothing changes when any setting is invalid.
    /// </summary>
    public InferenceError? Update(string? model, IEnumerable<(string Name, IReadOnlyList<string>? Values)> changes)
    {
        var parsed = new Change();
        foreach (var (name, values) in changes)
        {
            if (Parse(parsed, name, values) is { } error)
            {
                return error;
            }
        }

        lock (_update)
        {
            var s = _current;
            if (model is null)
            {
                var g = s.Global;
                var global = new Scope(
                    parsed.ClearLevel ? g.Level : parsed.Level ?? g.Level,
                    parsed.Rate ?? g.Rate,
                    parsed.LogFrequency ?? g.LogFrequency,
                    hasCount: true,
                    remaining: parsed.Count ?? Volatile.Read(ref g.Remaining),
                    seen: Volatile.Read(ref g.Seen));
                _current = s with { Global = global };
                return null;
            }

            var old = s.Models.GetValueOrDefault(model);
            var scope = new Scope(
                parsed.ClearLevel ? null : parsed.Level ?? old?.Level,
                parsed.ClearRate ? null : parsed.Rate ?? old?.Rate,
                parsed.ClearLogFrequency ? null : parsed.LogFrequency ?? old?.LogFrequency,
                hasCount: !parsed.ClearCount && (parsed.Count is not null || old is { HasCount: true }),
                remaining: parsed.Count ?? (old is { HasCount: true } ? Volatile.Read(ref old.Remaining) : -1),
                seen: old is null ? 0 : Volatile.Read(ref old.Seen));
            var models = new Dictionary<string, Scope>(s.Models, StringComparer.Ordinal);
            if (scope.Level is null && scope.Rate is null && scope.LogFrequency is null && !scope.HasCount)
            {
                models.Remove(model); // nothing of its own left: the model follows the global settings
            }
            else
            {
                models[model] = scope;
            }

            _current = s with { Models = models.ToFrozenDictionary(StringComparer.Ordinal) };
            return null;
        }
    }

    /// <summary>
    /// Whether a request span of <paramref name="model"/> is recorded: never at level OFF or once the count is used
    /// up; a caller's decision is followed (<paramref name="parentSampled"/>), a new trace is recorded 1 in
    /// <c>trace_rate</c>; each recorded trace uses one of a limited count.
    /// </summary>
    public bool Decide(string? model, bool? parentSampled)
    {
        var s = _current;
        var m = model is null ? null : s.Models.GetValueOrDefault(model);
        var g = s.Global;
        if ((m?.Level ?? g.Level) == TraceLevel.Off)
        {
            return false;
        }

        var count = m is { HasCount: true } ? m : g;
        if (Volatile.Read(ref count.Remaining) == 0)
        {
            return false;
        }

        if (parentSampled is { } sampled)
        {
            if (!sampled)
            {
                return false;
            }
        }
        else
        {
            var rateScope = m?.Rate is not null ? m : g;
            var rate = rateScope.Rate!.Value;
            if ((ulong)(Interlocked.Increment(ref rateScope.Seen) - 1) % rate != 0)
            {
                return false;
            }
        }

        while (true)
        {
            var left = Volatile.Read(ref count.Remaining);
            if (left < 0)
            {
                return true;
            }

            if (left == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref count.Remaining, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    private static InferenceError? Parse(Change change, string name, IReadOnlyList<string>? values)
    {
        var clear = values is null || values.Count == 0;
        if (name != Level && !clear && values!.Count > 1)
        {
            return InferenceError.InvalidArgument($"trace setting '{name}' takes one value, got {values.Count}");
        }

        var value = clear ? null : values![0];
        switch (name)
        {
            case Level:
                if (clear)
                {
                    change.ClearLevel = true;
                    break;
                }

                var level = TraceLevel.Off;
                foreach (var v in values!)
                {
                    switch (v)
                    {
                        case "OFF" when values.Count == 1:
                            break;
                        case "OFF":
                            return InferenceError.InvalidArgument("Expect only one trace level 'OFF' is specified");
                        case "TIMESTAMPS":
                            level |= TraceLevel.Timestamps;
                            break;
                        case "TENSORS":
                            level |= TraceLevel.Tensors;
                            break;
                        default:
                            return InferenceError.InvalidArgument($"trace setting 'trace_level': unknown level '{v}'; expected OFF, TIMESTAMPS or TENSORS");
                    }
                }

                change.Level = level;
                break;
            case Rate:
                if (clear)
                {
                    change.ClearRate = true;
                }
                else if (uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rate) && rate >= 1)
                {
                    change.Rate = rate;
                }
                else
                {
                    return InferenceError.InvalidArgument($"Unable to parse 'trace_rate': expected an integer from 1 to {uint.MaxValue}, got: {value}");
                }

                break;
            case Count:
                if (clear)
                {
                    change.ClearCount = true;
                }
                else if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count) && count >= -1)
                {
                    change.Count = count;
                }
                else
                {
                    return InferenceError.InvalidArgument($"Unable to parse 'trace_count': expected an integer from -1 (no limit) to {int.MaxValue}, got: {value}");
                }

                break;
            case LogFrequency:
                if (clear)
                {
                    change.ClearLogFrequency = true;
                }
                else if (uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var frequency))
                {
                    change.LogFrequency = frequency;
                }
                else
                {
                    return InferenceError.InvalidArgument($"Unable to parse 'log_frequency': expected an integer from 0 to {uint.MaxValue}, got: {value}");
                }

                break;
            case File:
                // Triton's answer: the trace file cannot be moved over the network (and Turbine writes none).
                if (!clear && value!.Length != 0)
                {
                    return InferenceError.Unsupported("trace file location can not be updated through network protocol");
                }

                break;
            case Mode:
                if (!clear && value != ModeName)
                {
                    return InferenceError.InvalidArgument($"trace setting 'trace_mode' cannot be changed (Turbine traces with '{ModeName}'), got: {value}");
                }

                break;
            default:
                return InferenceError.InvalidArgument(
                    $"unknown trace setting '{name}'; expected trace_level, trace_rate, trace_count, log_frequency, trace_file or trace_mode");
        }

        return null;
    }

    private static IEnumerable<string> LevelNames(TraceLevel level)
    {
        if (level.HasFlag(TraceLevel.Timestamps))
        {
            yield return "TIMESTAMPS";
        }

        if (level.HasFlag(TraceLevel.Tensors))
        {
            yield return "TENSORS";
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>What one update asks for (parsed and valid).</summary>
    private sealed class Change
    {
        public TraceLevel? Level { get; set; }

        public uint? Rate { get; set; }

        public int? Count { get; set; }

        public uint? LogFrequency { get; set; }

        public bool ClearLevel { get; set; }

        public bool ClearRate { get; set; }

        public bool ClearCount { get; set; }

        public bool ClearLogFrequency { get; set; }
    }

    /// <summary>The settings one scope sets (null = not its own) and its counters.</summary>
    private sealed class Scope(TraceLevel? level, uint? rate, uint? logFrequency, bool hasCount, int remaining, long seen)
    {
        public TraceLevel? Level { get; } = level;

        public uint? Rate { get; } = rate;

        public uint? LogFrequency { get; } = logFrequency;

        public bool HasCount { get; } = hasCount;

#pragma warning disable SA1401 // counters updated with Interlocked need fields
        public int Remaining = remaining;

        public long Seen = seen;
#pragma warning restore SA1401
    }

    private sealed record Snapshot(Scope Global, FrozenDictionary<string, Scope> Models);
}
