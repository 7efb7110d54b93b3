namespace Turbine.Monitoring.Data;

/// <summary>A dataset as columns (all the same length): what profiles and drift tests read.</summary>
public sealed class FeatureTable
{
    public FeatureTable(IReadOnlyList<FeatureColumn> columns)
    {
        Columns = columns;
        RowCount = columns.Count == 0 ? 0 : columns[0].Length;
        foreach (var column in columns)
        {
            if (column.Length != RowCount)
            {
                throw new ArgumentException($"column '{column.Name}' has {column.Length} rows, expected {RowCount} like '{columns[0].Name}'", nameof(columns));
            }
        }
    }

    public IReadOnlyList<FeatureColumn> Columns { get; }

    public int RowCount { get; }

    public FeatureColumn? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);
}
