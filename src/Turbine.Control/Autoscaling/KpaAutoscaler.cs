using System.Globalization;

namespace Turbine.Control.Autoscaling;

/// <summary>
/// Knative's Pod Autoscaler (KPA) as a pure function: <see cref="Decide"/> takes the state of one deployment and what
/// was observed at one tick, and returns the decision and the next state. No clock, no I/O, no mutable fields: the
/// caller ticks it every <see cref="AutoscalerSettings.TickInterval"/> with the time from its own
/// <see cref="TimeProvider"/>, so tests drive it with fixed times. The formula is in docs/control.md, "Autoscaler".
/// </summary>
internal sealed class KpaAutoscaler
{
    // Ratios such as 2.1 / (3 × 0.7) land a hair above a whole number in floating point; without this, ceil would
    // ask for a replica the formula does not.
    private const double Epsilon = 1e-9;

    /// <summary>An autoscaler for <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">The settings are invalid (the message lists every problem).</exception>
    public KpaAutoscaler(AutoscalerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Validate() is [_, ..] problems)
        {
            throw new ArgumentException("invalid autoscaler settings: " + string.Join("; ", problems), nameof(settings));
        }

        Settings = settings;
    }

    /// <summary>The settings this autoscaler decides with.</summary>
    public AutoscalerSettings Settings { get; }

    /// <summary>The state of a deployment before its first tick.</summary>
    public AutoscalerState InitialState => AutoscalerState.Initial(Settings);

    /// <summary>
    /// One tick: records <paramref name="input"/>'s observed total in the window, then decides the replicas.
    /// Desired = ceil(stable average / target), limited to [floor(ready / down rate), ceil(ready × up rate)]; in
    /// panic (the panic window asks for threshold × ready or more) the larger of the stable and panic answers and
    /// never less than before in this panic; held requests ask for ceil(held / target) (concurrency) or at least 1;
    /// the last replica is kept until scale to zero is allowed; and the result is clamped to [minReplicas, maxReplicas].
    /// </summary>
    /// <param name="state">The deployment's state after the previous tick (<see cref="InitialState"/> at first).</param>
    /// <param name="input">What was observed at this tick.</param>
    public (AutoscalerDecision Decision, AutoscalerState Next) Decide(AutoscalerState state, AutoscalerInput input)
    {
        ArgumentNullException.ThrowIfNull(state);
        var s = Settings;
        var now = input.Now;
        // Inputs are bounded before use: a NaN, infinite or negative total counts as no traffic.
        var observed = double.IsFinite(input.ObservedTotal) && input.ObservedTotal > 0 ? input.ObservedTotal : 0;
        var ready = Math.Max(0, input.ReadyReplicas);
        var held = Math.Max(0, input.HeldRequests);

        var window = state.Window.Record(now, observed);
        var firstTick = state.FirstTick ?? now;
        var lastTraffic = observed > 0 || held > 0 ? now : state.LastTraffic;
        var stable = window.Average(now, s.StableWindow);
        var panic = window.Average(now, s.PanicWindow);

        // Rate limits relative to the ready replicas (at least 1, as Knative does, so a deployment at zero can start).
        var rateBase = Math.Max(1, ready);
        var maxUp = Replicas(rateBase * s.MaxScaleUpRate);
        var maxDown = (int)Math.Floor(rateBase / s.MaxScaleDownRate + Epsilon);
        var stableRaw = Replicas(stable / s.Target);
        var panicRatio = panic / s.Target;
        var stableWanted = Math.Clamp(stableRaw, maxDown, maxUp);
        var panicWanted = Math.Clamp(Replicas(panicRatio), maxDown, maxUp);

        var over = ready >= 1 && panicRatio / ready >= s.PanicThreshold - Epsilon;
        var panicSince = state.PanicSince;
        var lastOver = state.LastOverThreshold;
        var maxPanic = state.MaxPanicReplicas;
        var reason = new List<string>(3);
        if (over)
        {
            if (panicSince is null)
            {
                panicSince = now;
                reason.Add(Text($"entering panic: the panic window asks for {panicRatio / ready:0.##}x the {ready} ready replicas"));
            }

            lastOver = now;
        }
        else if (panicSince is not null && now - lastOver >= s.StableWindow)
        {
            reason.Add(Text($"leaving panic: below {s.PanicThreshold:0.##}x for a stable window ({s.StableWindow.TotalSeconds:0.##} s)"));
            panicSince = null;
            lastOver = null;
            maxPanic = 0;
        }

        int desired;
        if (panicSince is not null)
        {
            // Panic scales up only: the larger of both answers, never below what this panic already asked for.
            desired = Math.Max(Math.Max(stableWanted, panicWanted), Math.Max(maxPanic, ready));
            maxPanic = desired;
            reason.Add(Text($"panic: panic {panic:0.##} / target {s.Target:0.##} -> {desired} (no scale-down in panic)"));
        }
        else
        {
            desired = stableWanted;
            reason.Add(Text($"stable {stable:0.##} / target {s.Target:0.##} -> {stableRaw}"));
            if (stableWanted > stableRaw)
            {
                reason.Add(Text($"scale-down limited to {maxDown} (ready {ready} / rate {s.MaxScaleDownRate:0.##})"));
            }
            else if (stableWanted < stableRaw)
            {
                reason.Add(Text($"scale-up limited to {maxUp} (ready {ready} x rate {s.MaxScaleUpRate:0.##})"));
            }
        }

        var quietFor = now - (lastTraffic ?? firstTick);
        var toZero = s.MinReplicas == 0 && held == 0 && stable == 0 && panicSince is null
            && quietFor >= s.StableWindow + s.ScaleToZeroGracePeriod;
        if (held > 0)
        {
            // Held requests are concurrent requests no replica has yet: with the concurrency metric they ask for
            // ceil(held / target) replicas (within the up rate), and with any metric for at least one.
            var forHeld = Math.Max(1, s.Metric == AutoscalerMetric.Concurrency ? Math.Min(Replicas(held / s.Target), maxUp) : 1);
            if (forHeld > desired)
            {
                reason.Add(desired == 0 && ready == 0
                    ? Text($"{held} held requests: waking from zero with {forHeld}")
                    : Text($"{held} held requests: {forHeld}"));
                desired = forHeld;
            }
        }
        else if (desired == 0 && ready >= 1 && !toZero)
        {
            desired = 1;
            reason.Add(Text($"keeping the last replica: quiet for {quietFor.TotalSeconds:0.##} s of {(s.StableWindow + s.ScaleToZeroGracePeriod).TotalSeconds:0.##} s"));
        }
        else if (toZero && ready >= 1)
        {
            reason.Add(Text($"no traffic for {quietFor.TotalSeconds:0.##} s: scale to zero allowed"));
        }

        var clamped = Math.Clamp(desired, s.MinReplicas, s.UpperBound);
        if (clamped != desired)
        {
            reason.Add(Text($"clamped to [{s.MinReplicas}, {(s.MaxReplicas == 0 ? "unbounded" : s.MaxReplicas)}]"));
        }

        var decision = new AutoscalerDecision(clamped, stable, panic, panicSince is not null, toZero, string.Join("; ", reason));
        var next = new AutoscalerState(window, firstTick, lastTraffic, panicSince, lastOver, maxPanic);
        return (decision, next);
    }

    /// <summary>ceil(<paramref name="ratio"/>) as a replica count, saturating at <see cref="int.MaxValue"/>.</summary>
    internal static int Replicas(double ratio)
    {
        var up = Math.Ceiling(ratio - Epsilon);
        return up <= 0 ? 0 : up >= int.MaxValue ? int.MaxValue : (int)up;
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
