using Turbine.Features.Definitions;
using Turbine.Features.Online;
using Turbine.Features.Values;

namespace Turbine.Features.Serving;

/// <summary>
/// Online lookups: resolves the requested features, reads each feature view once for all entity rows, applies the
/// views' TTL against the injected clock (OUTSIDE_MAX_AGE), and computes on-demand features with the same compiled
/// expressions the training sets use. Bad requests throw <see cref="FeatureRepoException"/> naming the problem
/// (a 400); an unreachable store throws <see cref="OnlineStoreUnavailableException"/> (a 503).
/// </summary>
public sealed class OnlineFeatureService(FeatureRepo repo, IOnlineStore store, TimeProvider? time = null)
{
    /// <summary>Most entity rows one request may ask for.</summary>
    public const int MaxEntityRows = 10_000;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public FeatureRepo Repo => repo;

    public IOnlineStore Store => store;

    public Task<OnlineFeaturesResult> GetAsync(IReadOnlyList<string>? features, string? featureService, IReadOnlyDictionary<string, IReadOnlyList<object?>> entities, bool fullFeatureNames, CancellationToken cancellationToken = default)
    {
        var plan = featureService is not null
            ? (features is { Count: > 0 } ? throw new FeatureRepoException("give either 'features' or 'feature_service', not both") : FeatureResolver.ResolveService(repo, featureService))
            : FeatureResolver.Resolve(repo, features ?? []);
        return GetAsync(plan, entities, fullFeatureNames, cancellationToken);
    }

    public async Task<OnlineFeaturesResult> GetAsync(FeaturePlan plan, IReadOnlyDictionary<string, IReadOnlyList<object?>> entities, bool fullFeatureNames, CancellationToken cancellationToken = default)
    {
        var rows = -1;
        foreach (var (name, values) in entities)
        {
            if (plan.JoinKeys.All(k => k.JoinKey != name) && plan.RequestFields.All(r => r.Name != name))
            {
                throw new FeatureRepoException($"unknown entity '{name}': the requested features need {Describe(plan)}");
            }

            if (rows >= 0 && values.Count != rows)
            {
                throw new FeatureRepoException($"entity '{name}': {values.Count} values, but other entity columns have {rows}");
            }

            rows = values.Count;
        }

        foreach (var need in plan.JoinKeys.Select(k => k.JoinKey).Concat(plan.RequestFields.Select(r => r.Name)))
        {
            if (!entities.ContainsKey(need))
            {
                throw new FeatureRepoException($"missing entity '{need}': the requested features need {Describe(plan)}");
            }
        }

        rows = Math.Max(rows, 0);
        if (rows > MaxEntityRows)
        {
            throw new FeatureRepoException($"{rows} entity rows, more than {MaxEntityRows} per request");
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var columns = new List<OnlineColumn>();
        var typedKeys = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        foreach (var k in plan.JoinKeys)
        {
            var raw = entities[k.JoinKey];
            var typed = new object?[rows];
            for (var r = 0; r < rows; r++)
            {
                typed[r] = Coerce(raw[r], k.Type, $"entity '{k.JoinKey}' value {r}") ?? throw new FeatureRepoException($"entity '{k.JoinKey}' value {r}: null");
            }

            typedKeys[k.JoinKey] = typed;
            columns.Add(new OnlineColumn(k.JoinKey, typed, Enumerable.Repeat(FeatureStatus.Present, rows).ToArray(), new DateTime[rows].Select(_ => DateTime.UnixEpoch).ToArray()));
        }

        // Each view read once for every row, with every feature any requested or on-demand feature needs.
        var read = new Dictionary<string, (string[] Features, OnlineRecord?[] Records, FeatureViewDefinition View)>(StringComparer.Ordinal);
        foreach (var view in plan.Views)
        {
            var needed = plan.Features.Where(f => !f.OnDemand && f.View == view.Name).Select(f => f.Feature)
                .Concat(plan.OnDemandViews.SelectMany(o => o.Inputs).Where(i => i.View == view.Name).Select(i => i.Name))
                .Distinct(StringComparer.Ordinal).ToArray();
            var joinKeys = repo.EntitiesOf(view);
            var keys = new byte[rows][];
            for (var r = 0; r < rows; r++)
            {
                keys[r] = FeastCodec.SerializeEntityKey(joinKeys.Select(j => (j.JoinKey, typedKeys[j.JoinKey][r]!)).ToArray(), repo.EntityKeySerializationVersion);
            }

            read[view.Name] = (needed, await store.ReadAsync(view.Name, needed, keys, cancellationToken).ConfigureAwait(false), view);
        }

        (object? Value, FeatureStatus Status, DateTime Time) Lookup(string viewName, string feature, int r)
        {
            var (names, records, view) = read[viewName];
            var record = records[r];
            if (record is null)
            {
                return (null, FeatureStatus.NotFound, DateTime.UnixEpoch);
            }

            if (view.Ttl > TimeSpan.Zero && now - record.EventTime > view.Ttl)
            {
                return (null, FeatureStatus.OutsideMaxAge, record.EventTime);
            }

            var value = record.Values[Array.IndexOf(names, feature)];
            return (value, value is null ? FeatureStatus.NullValue : FeatureStatus.Present, record.EventTime);
        }

        var odOutputs = new Dictionary<string, object?[][]>(StringComparer.Ordinal);
        foreach (var od in plan.OnDemandViews)
        {
            var outputs = od.Definition.Features.Select(_ => new object?[rows]).ToArray();
            var inRow = new object?[od.Inputs.Count];
            var outRow = new object?[outputs.Length];
            for (var r = 0; r < rows; r++)
            {
                for (var i = 0; i < inRow.Length; i++)
                {
                    var input = od.Inputs[i];
                    inRow[i] = input.View is null ? Coerce(entities[input.Name][r], input.Type, $"request field '{input.Name}' value {r}") : Lookup(input.View, input.Name, r).Value;
                }

                od.Evaluate(inRow, outRow);
                for (var f = 0; f < outRow.Length; f++)
                {
                    outputs[f][r] = outRow[f];
                }
            }

            odOutputs[od.Definition.Name] = outputs;
        }

        foreach (var f in plan.Features)
        {
            var values = new object?[rows];
            var statuses = new FeatureStatus[rows];
            var times = new DateTime[rows];
            var odIndex = f.OnDemand ? plan.OnDemandViews.First(o => o.Definition.Name == f.View).Definition.Features.ToList().FindIndex(x => x.Name == f.Feature) : -1;
            for (var r = 0; r < rows; r++)
            {
                if (f.OnDemand)
                {
                    values[r] = odOutputs[f.View][odIndex][r];
                    statuses[r] = values[r] is null ? FeatureStatus.NullValue : FeatureStatus.Present;
                    times[r] = now;
                }
                else
                {
                    (values[r], statuses[r], times[r]) = Lookup(f.View, f.Feature, r);
                }
            }

            columns.Add(new OnlineColumn(f.OutputName(fullFeatureNames), values, statuses, times));
        }

        return new OnlineFeaturesResult(columns);
    }

    private static object? Coerce(object? raw, FeatureType type, string where)
    {
        try
        {
            return FeatureValues.Coerce(raw, type);
        }
        catch (FormatException e)
        {
            throw new FeatureRepoException($"{where}: {e.Message}", e);
        }
    }

    private static string Describe(FeaturePlan plan) =>
        string.Join(", ", plan.JoinKeys.Select(k => $"'{k.JoinKey}' ({FeatureTypes.Name(k.Type)})").Concat(plan.RequestFields.Select(r => $"request field '{r.Name}' ({FeatureTypes.Name(r.Type)})")));
}
