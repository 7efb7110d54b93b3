using Turbine.Features.Definitions;
using Turbine.Features.Serving;
using Turbine.Features.Values;

namespace Turbine.Features.Enrichment;

/// <summary>An input tensor built from features: row-major [rows, features] values, and what was served (for the payload log).</summary>
public sealed record EnrichedInput(string Name, string Datatype, long[] Shape, double[] Values, IReadOnlyList<string> FeatureOrder, OnlineFeaturesResult Served);

/// <summary>
/// Builds a model's input tensor from a request's entity columns: one online lookup for the feature service, then
/// each row's features in tensor order. A value that is missing (NOT_FOUND, OUTSIDE_MAX_AGE, NULL_VALUE) takes the
/// feature's configured default; without one the request fails naming the feature and the row, never a silent zero.
/// </summary>
public sealed class FeatureEnricher
{
    private readonly OnlineFeatureService _service;
    private readonly EnrichmentSpec _spec;
    private readonly FeaturePlan _plan;
    private readonly int[] _columns;
    private readonly double?[] _defaults;

    public FeatureEnricher(OnlineFeatureService service, EnrichmentSpec spec)
    {
        _service = service;
        _spec = spec;
        _plan = FeatureResolver.ResolveService(service.Repo, spec.FeatureService);
        var refs = _plan.Features.Select(f => f.Reference).ToList();
        var chosen = spec.Features ?? refs.Select(r => new EnrichmentFeature(r, null)).ToArray();
        _columns = chosen.Select(f => refs.IndexOf(f.Reference) is >= 0 and var i ? i
            : throw new FeatureRepoException($"enrichment: feature '{f.Reference}' is not in feature service '{spec.FeatureService}' ({string.Join(", ", refs)})")).ToArray();
        _defaults = chosen.Select(f => f.Default).ToArray();
        FeatureOrder = chosen.Select(f => f.Reference).ToArray();
    }

    public IReadOnlyList<string> FeatureOrder { get; }

    /// <summary>The name of the input tensor this enricher builds.</summary>
    public string InputName => _spec.InputName;

    /// <summary>The request columns the lookup needs: join keys, then request data fields.</summary>
    public IReadOnlyList<string> EntityColumns => [.. _plan.JoinKeys.Select(k => k.JoinKey), .. _plan.RequestFields.Select(f => f.Name)];

    public async Task<EnrichedInput> BuildAsync(IReadOnlyDictionary<string, IReadOnlyList<object?>> entities, CancellationToken cancellationToken = default)
    {
        var served = await _service.GetAsync(_plan, entities, fullFeatureNames: true, cancellationToken).ConfigureAwait(false);
        var keys = _plan.JoinKeys.Count;
        var rows = served.Columns.Count > 0 ? served.Columns[0].Values.Length : 0;
        var width = _columns.Length;
        var values = new double[rows * width];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < width; c++)
            {
                var column = served.Columns[keys + _columns[c]];
                var v = column.Statuses[r] == FeatureStatus.Present ? FeatureValues.ToDouble(column.Values[r]) : double.NaN;
                if (double.IsNaN(v))
                {
                    v = _defaults[c] ?? throw new FeatureRepoException($"enrichment: feature '{FeatureOrder[c]}' is {OnlineFeaturesResult.StatusName(column.Statuses[r])} for entity row {r} and has no default");
                }

                values[(r * width) + c] = v;
            }
        }

        return new EnrichedInput(_spec.InputName, _spec.Datatype, [rows, width], values, FeatureOrder, served);
    }
}
