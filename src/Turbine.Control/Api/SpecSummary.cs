using Turbine.Control.Specs;

namespace Turbine.Control.Api;

/// <summary>The parsed spec's main settings, as <c>turbine control describe</c> shows them.</summary>
public sealed record SpecSummary(
    string StorageUri,
    string ModelFormat,
    int MinReplicas,
    int MaxReplicas,
    ScaleMetric ScaleMetric,
    int? ScaleTarget,
    long ContainerConcurrency,
    int? CanaryTrafficPercent,
    TimeSpan? Timeout)
{
    internal static SpecSummary From(DeploymentSpec spec) => new(
        spec.Predictor.Model.StorageUri.Original,
        spec.Predictor.Model.Format.ToString().ToLowerInvariant(),
        spec.Predictor.MinReplicas,
        spec.Predictor.MaxReplicas,
        spec.Predictor.ScaleMetric,
        spec.Predictor.ScaleTarget,
        spec.Predictor.ContainerConcurrency,
        spec.Predictor.CanaryTrafficPercent,
        spec.Predictor.Timeout);
}
