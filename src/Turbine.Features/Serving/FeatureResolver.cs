using Turbine.Features.Definitions;

namespace Turbine.Features.Serving;

/// <summary>One requested feature: which view (regular or on-demand), which feature, its type, and its output column name.</summary>
public sealed record ResolvedFeature(string View, string Feature, FeatureType Type, bool OnDemand)
{
    /// <summary>Feast's names: <c>feature</c>, or <c>view__feature</c> with full feature names.</summary>
    public string OutputName(bool full) => full ? View + "__" + Feature : Feature;

    /// <summary>The reference as written: <c>view:feature</c>.</summary>
    public string Reference => View + ":" + Feature;
}

/// <summary>
/// What a set of feature references needs: the features in order, the regular views to read (including those that
/// on-demand views compute from), the on-demand views to evaluate, the join keys and the request data fields.
/// </summary>
public sealed record FeaturePlan(
    IReadOnlyList<ResolvedFeature> Features,
    IReadOnlyList<FeatureViewDefinition> Views,
    IReadOnlyList<CompiledOnDemandView> OnDemandViews,
    IReadOnlyList<EntityDefinition> JoinKeys,
    IReadOnlyList<FeatureField> RequestFields);

/// <summary>Resolves feature references (<c>view</c> or <c>view:feature</c>) and feature services against a repository.</summary>
public static class FeatureResolver
{
    /// <summary>Most references one request may name.</summary>
    public const int MaxReferences = 1024;

    public static FeaturePlan Resolve(FeatureRepo repo, IReadOnlyList<string> references, string what = "request")
    {
        if (references.Count == 0)
        {
            throw new FeatureRepoException($"{what}: no features requested");
        }

        if (references.Count > MaxReferences)
        {
            throw new FeatureRepoException($"{what}: {references.Count} feature references, more than {MaxReferences}");
        }

        var features = new List<ResolvedFeature>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in references)
        {
            var colon = reference.IndexOf(':', StringComparison.Ordinal);
            var viewName = colon < 0 ? reference : reference[..colon];
            var featureName = colon < 0 ? null : reference[(colon + 1)..];
            if (repo.FeatureViews.TryGetValue(viewName, out var view))
            {
                foreach (var f in featureName is null ? view.Features : [view.Feature(featureName) ?? throw new FeatureRepoException($"{what}: unknown feature '{reference}': feature view '{viewName}' has no feature '{featureName}'")])
                {
                    if (seen.Add(viewName + ":" + f.Name))
                    {
                        features.Add(new ResolvedFeature(viewName, f.Name, f.Type, OnDemand: false));
                    }
                }
            }
            else if (repo.OnDemandFeatureViews.TryGetValue(viewName, out var od))
            {
                var chosen = featureName is null ? od.Features : [od.Features.FirstOrDefault(f => f.Name == featureName) ?? throw new FeatureRepoException($"{what}: unknown feature '{reference}': on-demand feature view '{viewName}' has no feature '{featureName}'")];
                foreach (var f in chosen)
                {
                    if (seen.Add(viewName + ":" + f.Name))
                    {
                        features.Add(new ResolvedFeature(viewName, f.Name, f.Type, OnDemand: true));
                    }
                }
            }
            else
            {
                throw new FeatureRepoException($"{what}: unknown feature view '{viewName}' (in '{reference}')");
            }
        }

        var odNames = features.Where(f => f.OnDemand).Select(f => f.View).Distinct(StringComparer.Ordinal).ToArray();
        var compiled = odNames.Select(n => OnDemandEvaluator.Compile(repo, repo.OnDemandFeatureViews[n])).ToArray();
        var viewNames = features.Where(f => !f.OnDemand).Select(f => f.View)
            .Concat(compiled.SelectMany(c => c.Inputs.Where(i => i.View is not null).Select(i => i.View!)))
            .Distinct(StringComparer.Ordinal).ToArray();
        var views = viewNames.Select(n => repo.FeatureViews[n]).ToArray();
        var joinKeys = views.SelectMany(v => v.Entities).Distinct(StringComparer.Ordinal).Select(e => repo.Entities[e]).ToArray();
        var request = compiled.SelectMany(c => c.Inputs.Where(i => i.View is null).Select(i => new FeatureField(i.Name, i.Type)))
            .DistinctBy(f => f.Name, StringComparer.Ordinal).ToArray();
        return new FeaturePlan(features, views, compiled, joinKeys, request);
    }

    /// <summary>Resolves a feature service by name.</summary>
    public static FeaturePlan ResolveService(FeatureRepo repo, string service) =>
        repo.FeatureServices.TryGetValue(service, out var fs)
            ? Resolve(repo, fs.Features, $"feature service '{service}'")
            : throw new FeatureRepoException($"unknown feature service '{service}'");
}
