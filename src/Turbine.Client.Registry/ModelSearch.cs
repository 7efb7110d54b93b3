namespace Turbine.Client.Registry;

/// <summary>Filters of <c>GET /api/v1/models</c>, AND-ed; null = not filtered.</summary>
/// <param name="Tag">A tag as <c>key=value</c>.</param>
/// <param name="Stage">Models with a version in this stage.</param>
/// <param name="Dataset">Models with a version trained on this dataset URI.</param>
/// <param name="Metric">Models with a version meeting this condition, for example <c>auc&gt;=0.9</c>.</param>
/// <param name="Text">Free text matched against names and descriptions.</param>
public sealed record ModelSearch(string? Tag = null, string? Stage = null, string? Dataset = null, string? Metric = null, string? Text = null);
