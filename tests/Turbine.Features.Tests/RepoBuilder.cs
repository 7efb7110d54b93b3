using Turbine.Features.Definitions;
using Turbine.Features.Sources;

namespace Turbine.Features.Tests;

/// <summary>Builds a feature repository folder for tests: YAML definitions and a hand-made Parquet source.</summary>
internal static class RepoBuilder
{
    public static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public const string Yaml = """
        project: shop
        online_store:
          type: sqlite
          path: data/online.db
        entities:
          - name: user
            join_key: user_id
            value_type: int64
        sources:
          - name: user_stats_source
            type: parquet
            path: data/user_stats.parquet
            timestamp_field: event_timestamp
            created_timestamp_column: created
        feature_views:
          - name: user_stats
            entities: [user]
            ttl: 2h
            source: user_stats_source
            schema:
              - name: spend
                dtype: float64
              - name: orders
                dtype: int64
              - name: tier
                dtype: string
        on_demand_feature_views:
          - name: derived
            sources: [user_stats]
            request_schema:
              - name: amount
                dtype: float64
            schema:
              - name: amount_ratio
                dtype: float64
                expression: "amount / (coalesce(user_stats.spend, 0) + 1)"
        feature_services:
          - name: fraud_v1
            features: [user_stats, "derived:amount_ratio"]
        """;

    /// <summary>Rows of the source: (user, event minutes after T0, created minutes after T0, spend, orders, tier).</summary>
    public static readonly (long User, int Event, int Created, double? Spend, long Orders, string Tier)[] Rows =
    [
        (1, 600, 600, 10.0, 1, "a"),       // 10:00
        (1, 660, 660, 20.0, 2, "b"),       // 11:00
        (1, 660, 665, 21.0, 3, "c"),       // 11:00 again, created later: wins the tie
        (1, 630, 720, 15.0, 4, "late"),    // 10:30, arrived at 12:00 (late-arriving)
        (2, 600, 600, null, 5, "d"),       // 10:00, null spend
        (3, 100, 100, 1.0, 6, "old"),      // 01:40
    ];

    public static TempFolder Create(string yaml = Yaml, IEnumerable<(long User, int Event, int Created, double? Spend, long Orders, string Tier)>? rows = null)
    {
        var folder = new TempFolder("turbine-features");
        File.WriteAllText(folder.File("feature_store.yaml"), yaml);
        Directory.CreateDirectory(folder.File("data"));
        WriteSourceAsync(folder.File("data/user_stats.parquet"), rows ?? Rows).GetAwaiter().GetResult();
        return folder;
    }

    public static Task WriteSourceAsync(string path, IEnumerable<(long User, int Event, int Created, double? Spend, long Orders, string Tier)> rows)
    {
        var r = rows.ToArray();
        return ParquetTable.WriteAsync(path,
        [
            new TableColumn("user_id", FeatureType.Int64, r.Select(x => (object?)x.User).ToArray()),
            new TableColumn("event_timestamp", FeatureType.UnixTimestamp, r.Select(x => (object?)T0.AddMinutes(x.Event)).ToArray()),
            new TableColumn("created", FeatureType.UnixTimestamp, r.Select(x => (object?)T0.AddMinutes(x.Created)).ToArray()),
            new TableColumn("spend", FeatureType.Float64, r.Select(x => (object?)x.Spend).ToArray()),
            new TableColumn("orders", FeatureType.Int64, r.Select(x => (object?)x.Orders).ToArray()),
            new TableColumn("tier", FeatureType.String, r.Select(x => (object?)x.Tier).ToArray()),
        ]);
    }

    /// <summary>Reads every column of a Parquet file.</summary>
    public static async Task<Dictionary<string, object?[]>> ReadAllAsync(string path)
    {
        var columns = await SourceReader.ColumnsOfAsync(path, SourceFormat.Parquet);
        var result = columns.ToDictionary(c => c, _ => new List<object?>());
        await foreach (var batch in SourceReader.ReadAsync(path, SourceFormat.Parquet, columns))
        {
            foreach (var c in columns)
            {
                result[c].AddRange(batch.Columns[c]);
            }
        }

        return result.ToDictionary(p => p.Key, p => p.Value.ToArray());
    }
}
