namespace Turbine.Monitoring.Online;

/// <summary>Data-quality issue names (label values of <c>turbine_data_quality_issues_total</c>).</summary>
public static class QualityIssues
{
    public const string Missing = "missing";
    public const string NonFinite = "nan_inf";
    public const string OutOfRange = "out_of_range";
    public const string UnseenCategory = "unseen_category";
    public const string Type = "type";
    public const string Shape = "shape";

    public static readonly IReadOnlyList<string> All = [Missing, NonFinite, OutOfRange, UnseenCategory, Type, Shape];
}

/// <summary>Counts of each <see cref="QualityIssues"/> name for one feature.</summary>
public sealed class QualityCounters
{
    private readonly long[] _counts = new long[QualityIssues.All.Count];

    public long this[string issue] => _counts[Index(issue)];

    public void Add(string issue, long count = 1) => _counts[Index(issue)] += count;

    public IReadOnlyDictionary<string, long> ToDictionary() => QualityIssues.All.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => _counts[p.i]);

    private static int Index(string issue)
    {
        for (var i = 0; i < QualityIssues.All.Count; i++)
        {
            if (QualityIssues.All[i] == issue)
            {
                return i;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(issue), issue, "unknown quality issue");
    }
}
