namespace Turbine.Registry.Domain;

/// <summary>Search filters, AND-ed; null means "any".</summary>
internal sealed record ModelQuery(
    IReadOnlyList<KeyValuePair<string, string>> Tags,
    ModelStage? Stage,
    string? DatasetUri,
    MetricFilter? Metric,
    string? Text);
