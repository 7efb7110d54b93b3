namespace Turbine.Cli.Bench;

/// <summary>The results of a run: one per level measured; <see cref="Interrupted"/> when Ctrl+C stopped it early.</summary>
internal sealed record BenchReport(string Model, string Protocol, IReadOnlyList<LevelResult> Levels, bool Interrupted, string? FirstError);
