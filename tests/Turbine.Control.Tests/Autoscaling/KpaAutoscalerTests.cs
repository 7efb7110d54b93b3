using Turbine.Control.Autoscaling;

namespace Turbine.Control.Tests.Autoscaling;

public sealed class KpaAutoscalerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    /// <summary>Ticks every 2 s from <paramref name="from"/> to <paramref name="to"/> seconds with the same input; the last decision.</summary>
    private static AutoscalerDecision Run(KpaAutoscaler autoscaler, ref AutoscalerState state, int from, int to, int ready, double observed, int held = 0)
    {
        AutoscalerDecision? last = null;
        for (var s = from; s <= to; s += 2)
        {
            (last, state) = autoscaler.Decide(state, new AutoscalerInput(At(s), ready, observed, held));
        }

        return last!;
    }

    private static KpaAutoscaler Kpa(double target = 10, int min = 1, int max = 0, AutoscalerMetric metric = AutoscalerMetric.Concurrency) =>
        new(new AutoscalerSettings { Target = target, MinReplicas = min, MaxReplicas = max, Metric = metric });

    [Theory]
    [InlineData(70, 140, 2)]
    [InlineData(70, 141, 3)]
    [InlineData(70, 70, 1)]
    [InlineData(10, 95, 10)]
    [InlineData(2.1, 6.3, 3)] // 3 × (3 × 0.7): floating point must not ask for a fourth
    public void Decide_SteadyLoad_IsCeilOfAverageOverTarget(double target, double observed, int expected)
    {
        var kpa = Kpa(target);
        var state = kpa.InitialState;

        var decision = Run(kpa, ref state, 0, 58, ready: expected, observed);

        Assert.Equal(expected, decision.DesiredReplicas);
        Assert.Equal(observed, decision.StableValue, 9);
        Assert.False(decision.PanicMode);
    }

    [Fact]
    public void Decide_UsesTheWindowAverage_NotTheLastSample()
    {
        var kpa = Kpa(target: 10);
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 28, ready: 3, observed: 20);

        var decision = Run(kpa, ref state, 30, 58, ready: 3, observed: 40); // mean 30 → 3; the last sample alone would say 4

        Assert.Equal(30, decision.StableValue, 9);
        Assert.Equal(3, decision.DesiredReplicas);
    }

    [Fact]
    public void Decide_AboveMaxReplicas_IsClampedToMax()
    {
        var kpa = Kpa(target: 10, max: 4);
        var state = kpa.InitialState;

        var decision = Run(kpa, ref state, 0, 58, ready: 4, observed: 75);

        Assert.Equal(4, decision.DesiredReplicas);
        Assert.Contains("clamped to [1, 4]", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_BelowMinReplicas_IsClampedToMin()
    {
        var kpa = Kpa(target: 10, min: 3);
        var state = kpa.InitialState;

        var decision = Run(kpa, ref state, 0, 58, ready: 3, observed: 5);

        Assert.Equal(3, decision.DesiredReplicas);
    }

    [Fact]
    public void Decide_MaxReplicasZero_HasNoUpperBound()
    {
        var kpa = Kpa(target: 1, max: 0);
        var state = kpa.InitialState;

        var decision = Run(kpa, ref state, 0, 58, ready: 500, observed: 500);

        Assert.Equal(500, decision.DesiredReplicas);
    }

    [Fact]
    public void Decide_PanicWindowAtExactlyTwiceTheReady_EntersPanic()
    {
        var kpa = Kpa(target: 10);
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 52, ready: 2, observed: 0);

        // The panic window (54..58) holds 40 per bucket: 40 / 10 = 4 replicas = 2.0 × the 2 ready.
        var decision = Run(kpa, ref state, 54, 58, ready: 2, observed: 40);

        Assert.True(decision.PanicMode);
        Assert.Equal(40, decision.PanicValue, 9);
        Assert.Equal(4, decision.DesiredReplicas); // the stable window alone (120 / 30 = 4 → 1) would not scale
        Assert.NotNull(state.PanicSince);
    }

    [Fact]
    public void Decide_PanicWindowJustBelowTwiceTheReady_StaysCalm()
    {
        var kpa = Kpa(target: 10);
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 52, ready: 2, observed: 0);

        var decision = Run(kpa, ref state, 54, 58, ready: 2, observed: 39.9);

        Assert.False(decision.PanicMode);
        Assert.Equal(1, decision.DesiredReplicas); // stable: 119.7 / 30 buckets = 3.99 → 1
    }

    [Fact]
    public void Decide_EnteringPanic_ReasonSaysSo()
    {
        var kpa = Kpa(target: 10);
        var state = kpa.InitialState;

        var (decision, _) = kpa.Decide(state, new AutoscalerInput(At(0), 1, 50));

        Assert.True(decision.PanicMode);
        Assert.StartsWith("entering panic: the panic window asks for 5x the 1 ready replicas", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_NoReadyReplicas_NeverPanics()
    {
        var kpa = Kpa(target: 10, min: 0);
        var state = kpa.InitialState;

        var (decision, _) = kpa.Decide(state, new AutoscalerInput(At(0), 0, 100));

        Assert.False(decision.PanicMode);
        Assert.Equal(10, decision.DesiredReplicas);
    }

    [Fact]
    public void Decide_InPanic_NeverScalesDown()
    {
        var kpa = Kpa(target: 10);
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 52, ready: 2, observed: 0);
        var burst = Run(kpa, ref state, 54, 58, ready: 2, observed: 80); // 8 replicas = 4× ready
        Assert.Equal(8, burst.DesiredReplicas);

        // The burst ends: the panic window drops to 0, but we are still within a stable window of the last panic signal.
        var after = Run(kpa, ref state, 60, 100, ready: 8, observed: 0);

        Assert.True(after.PanicMode);
        Assert.Equal(8, after.DesiredReplicas);
        Assert.Equal(0, after.PanicValue);
    }

    [Fact]
    public void Decide_InPanic_ScalesUpFurther()
    {
        var kpa = Kpa(target: 10);
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 4, ready: 1, observed: 30);  // 3× → panic, 3 replicas

        var decision = Run(kpa, ref state, 6, 10, ready: 3, observed: 90); // 9 replicas = 3× the 3 ready

        Assert.True(decision.PanicMode);
        Assert.Equal(9, decision.DesiredReplicas);
        Assert.Equal(9, state.MaxPanicReplicas);
    }

    [Fact]
    public void Decide_PanicLeavesAfterAFullStableWindowWithoutThePanicCondition()
    {
        var kpa = Kpa(target: 10);
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 52, ready: 2, observed: 0);
        Run(kpa, ref state, 54, 58, ready: 2, observed: 80); // last panic signal at 58 s
        Assert.Equal(At(58), state.LastOverThreshold);

        var stillPanicking = Run(kpa, ref state, 60, 116, ready: 8, observed: 0);
        Assert.True(stillPanicking.PanicMode); // 58 s after the last signal
        Assert.Equal(8, stillPanicking.DesiredReplicas);

        var (calm, next) = kpa.Decide(state, new AutoscalerInput(At(118), 8, 0)); // 60 s after: leave

        Assert.False(calm.PanicMode);
        Assert.Null(next.PanicSince);
        Assert.Equal(0, next.MaxPanicReplicas);
        Assert.StartsWith("leaving panic", calm.Reason, StringComparison.Ordinal);
        Assert.Equal(4, calm.DesiredReplicas); // stable asks for 1, limited to halving 8
    }

    [Fact]
    public void Decide_ScaleDown_IsLimitedToHalvingPerTick()
    {
        // A one-bucket stable window, so the average drops to 0 at once and only the rate limit slows the descent.
        var tick = TimeSpan.FromSeconds(2);
        var kpa = new KpaAutoscaler(new AutoscalerSettings { Target = 10, StableWindow = tick, PanicWindow = tick });
        var state = kpa.InitialState;
        Assert.Equal(16, Run(kpa, ref state, 0, 0, ready: 16, observed: 160).DesiredReplicas);

        var decisions = new List<int>();
        var ready = 16;
        for (var s = 2; s <= 10; s += 2)
        {
            (var d, state) = kpa.Decide(state, new AutoscalerInput(At(s), ready, 0));
            decisions.Add(d.DesiredReplicas);
            ready = d.DesiredReplicas;
        }

        Assert.Equal([8, 4, 2, 1, 1], decisions);
    }

    [Fact]
    public void Decide_ScaleDownRateThree_KeepsAThirdOfTheReady()
    {
        var kpa = new KpaAutoscaler(new AutoscalerSettings { Target = 10, MaxScaleDownRate = 3 });
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 58, ready: 10, observed: 0);

        var (decision, _) = kpa.Decide(state, new AutoscalerInput(At(60), 10, 0));

        Assert.Equal(3, decision.DesiredReplicas); // floor(10 / 3)
    }

    [Fact]
    public void Decide_LoadGoneAtOnce_HalvesTheReadyReplicas()
    {
        var kpa = Kpa(target: 10);
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 58, ready: 10, observed: 0);

        var (decision, _) = kpa.Decide(state, new AutoscalerInput(At(60), 10, 0));

        Assert.Equal(5, decision.DesiredReplicas);
        Assert.Contains("scale-down limited to 5", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ScaleUp_IsLimitedByTheUpRate()
    {
        var kpa = new KpaAutoscaler(new AutoscalerSettings { Target = 1, MaxScaleUpRate = 2.5, PanicThreshold = 1000 });
        var state = kpa.InitialState;

        var (decision, _) = kpa.Decide(state, new AutoscalerInput(At(0), 3, 100));

        Assert.Equal(8, decision.DesiredReplicas); // ceil(3 × 2.5)
        Assert.Contains("scale-up limited to 8", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_MinZero_ScalesToZeroOnlyAfterStableWindowPlusGrace()
    {
        var kpa = Kpa(target: 10, min: 0);
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 10, ready: 1, observed: 5); // last traffic at 10 s

        var before = Run(kpa, ref state, 12, 98, ready: 1, observed: 0); // 88 s quiet
        Assert.Equal(1, before.DesiredReplicas);
        Assert.False(before.ScaleToZeroAllowed);
        Assert.StartsWith("stable 0 / target 10 -> 0; keeping the last replica", before.Reason, StringComparison.Ordinal);

        var (after, _) = kpa.Decide(state, new AutoscalerInput(At(100), 1, 0)); // 90 s = 60 s window + 30 s grace

        Assert.Equal(0, after.DesiredReplicas);
        Assert.True(after.ScaleToZeroAllowed);
        Assert.Contains("scale to zero allowed", after.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_StableWindowQuietButGraceNotOver_KeepsOneReplica()
    {
        var kpa = Kpa(target: 10, min: 0);
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 0, ready: 1, observed: 5);

        var decision = Run(kpa, ref state, 2, 70, ready: 1, observed: 0); // the stable average is 0 from 60 s on

        Assert.Equal(0, decision.StableValue);
        Assert.Equal(1, decision.DesiredReplicas);
        Assert.False(decision.ScaleToZeroAllowed);
    }

    [Fact]
    public void Decide_MinOne_NeverScalesToZero()
    {
        var kpa = Kpa(target: 10, min: 1);
        var state = kpa.InitialState;

        var decision = Run(kpa, ref state, 0, 600, ready: 1, observed: 0);

        Assert.Equal(1, decision.DesiredReplicas);
        Assert.False(decision.ScaleToZeroAllowed);
    }

    [Fact]
    public void Decide_AtZeroWithHeldRequests_WakesWithOneReplica()
    {
        var kpa = Kpa(target: 10, min: 0);
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 200, ready: 0, observed: 0);

        var (decision, next) = kpa.Decide(state, new AutoscalerInput(At(202), 0, 0, HeldRequests: 1));

        Assert.Equal(1, decision.DesiredReplicas);
        Assert.False(decision.ScaleToZeroAllowed);
        Assert.Equal(At(202), next.LastTraffic);
        Assert.Contains("1 held requests: waking from zero with 1", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_AtZeroWithManyHeldRequests_AsksForCeilOfHeldOverTarget()
    {
        var kpa = Kpa(target: 100, min: 0);
        var state = kpa.InitialState;

        var (decision, _) = kpa.Decide(state, new AutoscalerInput(At(0), 0, 0, HeldRequests: 250));

        Assert.Equal(3, decision.DesiredReplicas);
    }

    [Fact]
    public void Decide_AtZeroWithHeldRequests_RpsMetric_AsksForOne()
    {
        var kpa = Kpa(target: 100, min: 0, metric: AutoscalerMetric.Rps);
        var state = kpa.InitialState;

        var (decision, _) = kpa.Decide(state, new AutoscalerInput(At(0), 0, 0, HeldRequests: 250));

        Assert.Equal(1, decision.DesiredReplicas);
    }

    [Fact]
    public void Decide_AtZeroWithoutTraffic_StaysAtZero()
    {
        var kpa = Kpa(target: 10, min: 0);
        var state = kpa.InitialState;

        var decision = Run(kpa, ref state, 0, 20, ready: 0, observed: 0);

        Assert.Equal(0, decision.DesiredReplicas);
    }

    [Fact]
    public void Decide_AtZeroWithObservedTraffic_ScalesToTheFormula()
    {
        var kpa = Kpa(target: 10, min: 0);
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 200, ready: 0, observed: 0);

        var (decision, _) = kpa.Decide(state, new AutoscalerInput(At(202), 0, 25));

        Assert.Equal(1, decision.DesiredReplicas); // 25 over 30 buckets: ceil(0.83) = 1
    }

    [Fact]
    public void Decide_RpsMetric_UsesTheSameMath()
    {
        var concurrency = Kpa(target: 50, metric: AutoscalerMetric.Concurrency);
        var rps = Kpa(target: 50, metric: AutoscalerMetric.Rps);
        var s1 = concurrency.InitialState;
        var s2 = rps.InitialState;

        var c = Run(concurrency, ref s1, 0, 58, ready: 5, observed: 230);
        var r = Run(rps, ref s2, 0, 58, ready: 5, observed: 230);

        Assert.Equal(5, r.DesiredReplicas);
        Assert.Equal(c with { Reason = "" }, r with { Reason = "" });
    }

    [Fact]
    public void Decide_SameStateAndInput_SameDecision_AndTheStateIsNotChanged()
    {
        var kpa = Kpa(target: 10);
        var state = kpa.InitialState;
        Run(kpa, ref state, 0, 20, ready: 2, observed: 15);
        var input = new AutoscalerInput(At(22), 2, 60);

        var (first, next1) = kpa.Decide(state, input);
        var (second, next2) = kpa.Decide(state, input);

        Assert.Equal(first, second);
        Assert.Equal(next1.PanicSince, next2.PanicSince);
        Assert.Null(state.PanicSince); // the state passed in still says calm
        Assert.Equal(15, state.Window.Average(At(20), TimeSpan.FromSeconds(60)), 9);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-50)]
    public void Decide_HostileObservedTotal_CountsAsNoTraffic(double observed)
    {
        var kpa = Kpa(target: 10);
        var state = kpa.InitialState;

        var (decision, next) = kpa.Decide(state, new AutoscalerInput(At(0), 1, observed, HeldRequests: -3));

        Assert.Equal(0, decision.StableValue);
        Assert.Equal(1, decision.DesiredReplicas);
        Assert.Null(next.LastTraffic);
    }
}
