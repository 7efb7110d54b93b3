namespace Turbine.Monitoring.Drift;

/// <summary>Reference and current shares over the same bins (numeric: <see cref="Edges"/>) or categories (<see cref="Labels"/>).</summary>
public sealed record Distribution(string[] Labels, double[]? Edges, double[] Reference, double[] Current);
