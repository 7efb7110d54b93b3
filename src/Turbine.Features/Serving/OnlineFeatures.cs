namespace Turbine.Features.Serving;

/// <summary>Feast's per-value statuses.</summary>
public enum FeatureStatus
{
    Present,
    NullValue,
    NotFound,
    OutsideMaxAge,
}

/// <summary>One column of an online response: a join key or a feature, one value, status and event time per entity row.</summary>
public sealed record OnlineColumn(string Name, object?[] Values, FeatureStatus[] Statuses, DateTime[] EventTimestamps);

/// <summary>The answer to <c>get-online-features</c>: join key columns first, then the features in the order asked for.</summary>
public sealed record OnlineFeaturesResult(IReadOnlyList<OnlineColumn> Columns)
{
    public IEnumerable<string> FeatureNames => Columns.Select(c => c.Name);

    public static string StatusName(FeatureStatus status) => status switch
    {
        FeatureStatus.Present => "PRESENT",
        FeatureStatus.NullValue => "NULL_VALUE",
        FeatureStatus.NotFound => "NOT_FOUND",
        _ => "OUTSIDE_MAX_AGE",
    };
}
