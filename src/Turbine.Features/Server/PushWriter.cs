using Turbine.Features.Definitions;
using Turbine.Features.Online;
using Turbine.Features.Values;

namespace Turbine.Features.Server;

/// <summary>
/// <c>/push</c>: rows sent by a producer written straight to the online store for every online feature view whose
/// source (or name) is the push source name. The columns must hold the views' join keys, the source's timestamp
/// field and every feature of the view; newer stored rows are kept.
/// </summary>
public static class PushWriter
{
    public const int MaxRows = 100_000;

    public static async Task<int> PushAsync(FeatureRepo repo, IOnlineStore store, string pushSource, IReadOnlyDictionary<string, IReadOnlyList<object?>> df, CancellationToken ct)
    {
        var views = repo.FeatureViews.Values.Where(v => v.Source == pushSource || v.Name == pushSource).ToArray();
        if (views.Length == 0)
        {
            throw new FeatureRepoException($"unknown push source '{pushSource}' (no feature view has it as source or name)");
        }

        var rows = df.Count == 0 ? 0 : df.Values.First().Count;
        if (df.Values.Any(c => c.Count != rows))
        {
            throw new FeatureRepoException("'df': columns differ in length");
        }

        if (rows > MaxRows)
        {
            throw new FeatureRepoException($"'df': {rows} rows, more than {MaxRows} per push");
        }

        var written = 0;
        foreach (var view in views)
        {
            var source = repo.Sources[view.Source];
            var joinKeys = repo.EntitiesOf(view);
            foreach (var need in joinKeys.Select(k => k.JoinKey).Append(source.TimestampField).Concat(view.Features.Select(f => f.Name)))
            {
                if (!df.ContainsKey(need))
                {
                    throw new FeatureRepoException($"'df': column '{need}' is required for feature view '{view.Name}'");
                }
            }

            var batch = new List<OnlineRow>(rows);
            for (var r = 0; r < rows; r++)
            {
                var key = FeastCodec.SerializeEntityKey(joinKeys.Select(k => (k.JoinKey, Coerce(df[k.JoinKey][r], k.Type, k.JoinKey, r) ?? throw new FeatureRepoException($"'df.{k.JoinKey}' row {r}: null join key"))).ToArray(), repo.EntityKeySerializationVersion);
                var time = Coerce(df[source.TimestampField][r], FeatureType.UnixTimestamp, source.TimestampField, r) as DateTime? ?? throw new FeatureRepoException($"'df.{source.TimestampField}' row {r}: null timestamp");
                var created = source.CreatedTimestampColumn is { } cc && df.TryGetValue(cc, out var createdColumn) && Coerce(createdColumn[r], FeatureType.UnixTimestamp, cc, r) is DateTime c ? c : time;
                batch.Add(new OnlineRow(key, time, created, view.Features.Select(f => Coerce(df[f.Name][r], f.Type, f.Name, r)).ToArray()));
            }

            written += await store.WriteAsync(view.Name, view.Features.Select(f => f.Name).ToArray(), batch, ct).ConfigureAwait(false);
        }

        return written;
    }

    private static object? Coerce(object? raw, FeatureType type, string column, int row)
    {
        try
        {
            return FeatureValues.Coerce(raw, type);
        }
        catch (FormatException e)
        {
            throw new FeatureRepoException($"'df.{column}' row {row}: {e.Message}", e);
        }
    }
}
