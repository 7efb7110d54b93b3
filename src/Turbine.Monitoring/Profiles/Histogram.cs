namespace Turbine.Monitoring.Profiles;

/// <summary>A histogram: <see cref="Edges"/> has one more element than <see cref="Counts"/>.</summary>
public sealed record Histogram(double[] Edges, long[] Counts);
