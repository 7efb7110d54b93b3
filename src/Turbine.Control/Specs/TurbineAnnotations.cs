namespace Turbine.Control.Specs;

/// <summary>The <c>turbine.dev/…</c> annotation keys <see cref="InferenceServiceParser"/> reads into <see cref="TurbineSettings"/>.</summary>
public static class TurbineAnnotations
{
    public const string Prefix = "turbine.dev/";
    public const string CanarySteps = Prefix + "canary-steps";
    public const string AnalysisWindow = Prefix + "analysis-window";
    public const string MaxErrorRate = Prefix + "max-error-rate";
    public const string MaxP99LatencyRatio = Prefix + "max-p99-latency-ratio";
    public const string ActivatorQueueSize = Prefix + "activator-queue-size";
    public const string ActivatorMaxWait = Prefix + "activator-max-wait";
    public const string ScaleToZeroGrace = Prefix + "scale-to-zero-grace";

    /// <summary>Every key above, for the unknown-key check and messages.</summary>
    public static IReadOnlyList<string> All { get; } =
        [CanarySteps, AnalysisWindow, MaxErrorRate, MaxP99LatencyRatio, ActivatorQueueSize, ActivatorMaxWait, ScaleToZeroGrace];
}
