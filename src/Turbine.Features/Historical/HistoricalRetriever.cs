using Turbine.Features.Definitions;
using Turbine.Features.Serving;
using Turbine.Features.Sources;
using Turbine.Features.Values;

namespace Turbine.Features.Historical;

/// <summary>What <see cref="HistoricalRetriever.RunAsync"/> did.</summary>
public sealed record HistoricalResult(int Rows, IReadOnlyList<string> Columns, long SourceRowsRead);

/// <summary>
/// Point-in-time-correct training sets. For each entity row at time T and each feature view, the feature values are
/// those of the source row with the same join keys whose event time is the latest at or before T and no older than
/// the view's TTL (zero: any age); of rows with the same event time, the latest created timestamp wins, then the
/// one read last. Sources are streamed one row group at a time; memory is the entity rows and their feature values.
/// On-demand features are computed by the same compiled expressions the online path uses.
/// </summary>
public static class HistoricalRetriever
{
    /// <summary>Most entity rows one retrieval accepts (they are held in memory with their features).</summary>
    public const int MaxEntityRows = 20_000_000;

    public static async Task<HistoricalResult> RunAsync(FeatureRepo repo, FeaturePlan plan, string entityPath, string outputPath, bool fullFeatureNames,
        string timestampColumn = "event_timestamp", SourceStorage? storage = null, CancellationToken cancellationToken = default)
    {
        var format = entityPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? SourceFormat.Csv : SourceFormat.Parquet;
        var entityColumns = await SourceReader.ColumnsOfAsync(entityPath, format, storage, cancellationToken).ConfigureAwait(false);
        foreach (var required in plan.JoinKeys.Select(k => k.JoinKey).Append(timestampColumn).Concat(plan.RequestFields.Select(f => f.Name)))
        {
            if (!entityColumns.Contains(required, StringComparer.Ordinal))
            {
                throw new FeatureRepoException($"entity dataframe {SourceReader.Display(entityPath)}: column '{required}' is required (columns: {string.Join(", ", entityColumns)})");
            }
        }

        // The entity rows, whole (bounded by MaxEntityRows).
        var raw = entityColumns.ToDictionary(c => c, _ => new List<object?>(), StringComparer.Ordinal);
        await foreach (var batch in SourceReader.ReadAsync(entityPath, format, entityColumns, storage, null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var c in entityColumns)
            {
                raw[c].AddRange(batch.Columns[c]);
            }

            if (raw[timestampColumn].Count > MaxEntityRows)
            {
                throw new FeatureRepoException($"entity dataframe: more than {MaxEntityRows} rows");
            }
        }

        var rows = raw[timestampColumn].Count;
        var times = new DateTime[rows];
        for (var i = 0; i < rows; i++)
        {
            times[i] = raw[timestampColumn][i] is { } t ? Coerce(() => FeatureValues.ToUtc(t), $"entity dataframe: column '{timestampColumn}', row {i}")
                : throw new FeatureRepoException($"entity dataframe: column '{timestampColumn}', row {i}: no timestamp");
        }

        var typedKeys = plan.JoinKeys.ToDictionary(k => k.JoinKey, k => raw[k.JoinKey].Select((v, i) => Coerce(() => FeatureValues.Coerce(v, k.Type), $"entity dataframe: column '{k.JoinKey}', row {i}")).ToArray(), StringComparer.Ordinal);
        var viewValues = new Dictionary<string, object?[][]>(StringComparer.Ordinal);
        long sourceRows = 0;
        foreach (var view in plan.Views)
        {
            var (values, read) = await JoinViewAsync(repo, view, typedKeys, times, storage, cancellationToken).ConfigureAwait(false);
            viewValues[view.Name] = values;
            sourceRows += read;
        }

        // Output: the entity dataframe's columns, then the features in the order asked for.
        var output = new List<TableColumn>();
        foreach (var c in entityColumns)
        {
            var key = plan.JoinKeys.FirstOrDefault(k => k.JoinKey == c);
            output.Add(key is not null ? new TableColumn(c, key.Type, typedKeys[c]) : c == timestampColumn ? new TableColumn(c, FeatureType.UnixTimestamp, times.Cast<object?>().ToArray()) : TableColumn.Infer(c, [.. raw[c]]));
        }

        var odOutputs = ComputeOnDemand(repo, plan, raw, viewValues, rows);
        foreach (var f in plan.Features)
        {
            var values = f.OnDemand
                ? odOutputs[f.View][plan.OnDemandViews.First(o => o.Definition.Name == f.View).Definition.Features.ToList().FindIndex(x => x.Name == f.Feature)]
                : viewValues[f.View][repo.FeatureViews[f.View].Features.ToList().FindIndex(x => x.Name == f.Feature)];
            output.Add(new TableColumn(f.OutputName(fullFeatureNames), f.Type, values));
        }

        var duplicate = output.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FeatureRepoException($"output column '{duplicate.Key}' appears twice: use full feature names (--full-feature-names)");
        }

        if (SourceStorage.IsS3(outputPath))
        {
            await (storage ?? SourceStorage.Default).WriteAsync(outputPath, local => ParquetTable.WriteAsync(local, output, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ParquetTable.WriteAsync(outputPath, output, cancellationToken).ConfigureAwait(false);
        }

        return new HistoricalResult(rows, output.Select(c => c.Name).ToArray(), sourceRows);
    }

    private static Dictionary<string, object?[][]> ComputeOnDemand(FeatureRepo repo, FeaturePlan plan, Dictionary<string, List<object?>> raw, Dictionary<string, object?[][]> viewValues, int rows)
    {
        var result = new Dictionary<string, object?[][]>(StringComparer.Ordinal);
        foreach (var od in plan.OnDemandViews)
        {
            var inputs = od.Inputs.Select(i => i.View is null
                ? raw[i.Name].Select((v, r) => Coerce(() => FeatureValues.Coerce(v, i.Type), $"entity dataframe: request column '{i.Name}', row {r}")).ToArray()
                : viewValues[i.View][repo.FeatureViews[i.View].Features.ToList().FindIndex(f => f.Name == i.Name)]).ToArray();
            var outputs = od.Definition.Features.Select(_ => new object?[rows]).ToArray();
            var inRow = new object?[inputs.Length];
            var outRow = new object?[outputs.Length];
            for (var r = 0; r < rows; r++)
            {
                for (var i = 0; i < inputs.Length; i++)
                {
                    inRow[i] = inputs[i][r];
                }

                od.Evaluate(inRow, outRow);
                for (var f = 0; f < outputs.Length; f++)
                {
                    outputs[f][r] = outRow[f];
                }
            }

            result[od.Definition.Name] = outputs;
        }

        return result;
    }

    private static async Task<(object?[][] Values, long Read)> JoinViewAsync(FeatureRepo repo, FeatureViewDefinition view, Dictionary<string, object?[]> keys, DateTime[] times, SourceStorage? storage, CancellationToken ct)
    {
        var source = repo.Sources[view.Source];
        var joinKeys = repo.EntitiesOf(view);
        var rows = times.Length;

        // Entity rows by key, each list sorted by time: a source row at event time e serves the rows with T in [e, e + ttl].
        var index = new Dictionary<string, (DateTime T, int Row)[]>(StringComparer.Ordinal);
        var groups = new Dictionary<string, List<(DateTime, int)>>(StringComparer.Ordinal);
        for (var r = 0; r < rows; r++)
        {
            var k = KeyString(joinKeys.Select(j => keys[j.JoinKey][r]));
            if (k is null)
            {
                continue;
            }

            if (!groups.TryGetValue(k, out var list))
            {
                groups[k] = list = [];
            }

            list.Add((times[r], r));
        }

        foreach (var (k, list) in groups)
        {
            index[k] = [.. list.OrderBy(x => x.Item1)];
        }

        var bestEvent = new DateTime[rows];
        var bestCreated = new DateTime[rows];
        var found = new bool[rows];
        var values = view.Features.Select(_ => new object?[rows]).ToArray();
        var columns = joinKeys.Select(j => j.JoinKey).Append(source.TimestampField).Concat(source.CreatedTimestampColumn is { } c ? [c] : []).Concat(view.Features.Select(f => f.Name)).Distinct(StringComparer.Ordinal).ToArray();
        long read = 0;
        var keyParts = new object?[joinKeys.Count];
        await foreach (var batch in SourceReader.ReadAsync(source, columns, storage, ct).ConfigureAwait(false))
        {
            read += batch.Count;
            for (var i = 0; i < batch.Count; i++)
            {
                for (var j = 0; j < joinKeys.Count; j++)
                {
                    var jk = joinKeys[j];
                    keyParts[j] = Coerce(() => FeatureValues.Coerce(batch.Columns[jk.JoinKey][i], jk.Type), batch.Where(jk.JoinKey, i));
                }

                var k = KeyString(keyParts);
                if (k is null || !index.TryGetValue(k, out var candidates))
                {
                    continue;
                }

                var e = SourceTime(batch, source.TimestampField, i);
                var created = source.CreatedTimestampColumn is { } cc && batch.Columns[cc][i] is not null ? SourceTime(batch, cc, i) : DateTime.MinValue;
                var end = view.Ttl > TimeSpan.Zero ? e + view.Ttl : DateTime.MaxValue;
                var lo = LowerBound(candidates, e);
                object?[]? typed = null;
                for (var p = lo; p < candidates.Length && candidates[p].T <= end; p++)
                {
                    var r = candidates[p].Row;
                    if (found[r] && (bestEvent[r] > e || (bestEvent[r] == e && bestCreated[r] > created)))
                    {
                        continue;
                    }

                    typed ??= view.Features.Select(f => Coerce(() => FeatureValues.Coerce(batch.Columns[f.Name][i], f.Type), batch.Where(f.Name, i))).ToArray();
                    found[r] = true;
                    bestEvent[r] = e;
                    bestCreated[r] = created;
                    for (var f = 0; f < typed.Length; f++)
                    {
                        values[f][r] = typed[f];
                    }
                }
            }
        }

        return (values, read);
    }

    private static DateTime SourceTime(SourceBatch batch, string column, int i) =>
        batch.Columns[column][i] is { } t ? Coerce(() => FeatureValues.ToUtc(t), batch.Where(column, i)) : throw new FeatureRepoException($"{batch.Where(column, i)}: no timestamp");

    private static int LowerBound((DateTime T, int Row)[] list, DateTime t)
    {
        int lo = 0, hi = list.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].T < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>A dictionary key for typed join key values (null when any is missing).</summary>
    internal static string? KeyString(IEnumerable<object?> parts)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var p in parts)
        {
            if (p is null)
            {
                return null;
            }

            sb.Append(p is string s ? "s" + s : "n" + Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture)).Append('\u001f');
        }

        return sb.ToString();
    }

    internal static T Coerce<T>(Func<T> convert, string where)
    {
        try
        {
            return convert();
        }
        catch (FormatException e)
        {
            throw new FeatureRepoException($"{where}: {e.Message}", e);
        }
    }
}
