namespace Turbine.Cli.Bench;

/// <summary>What one <c>turbine bench</c> run measures, as the user asked for it (validated by the command).</summary>
internal sealed record BenchSettings(
    LoadMode Mode,
    IReadOnlyList<double> Levels,
    int BatchSize,
    TimeSpan MeasurementInterval,
    int MaxTrials,
    double StabilityPercentage,
    RateDistribution Distribution = RateDistribution.Constant,
    int MaxOutstanding = 256,
    int Seed = 1)
{
    public const int DefaultMeasurementIntervalMs = 5000;
    public const int DefaultMaxTrials = 10;
    public const double DefaultStabilityPercentage = 10;
}
