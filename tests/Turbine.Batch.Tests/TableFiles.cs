using Turbine.Batch.Tables;

namespace Turbine.Batch.Tests;

/// <summary>Reads any output back as rows of cells (column name → value).</summary>
internal static class TableFiles
{
    public static async Task<List<Dictionary<string, object?>>> ReadAsync(string path)
    {
        var format = TableFormats.Resolve(null, path);
        var stream = File.OpenRead(path);
        ITableReader reader = format switch
        {
            TableFormat.Csv => await CsvTableReader.OpenAsync(stream, 1000, 1 << 20),
            TableFormat.JsonLines => await JsonLinesTableReader.OpenAsync(stream, 1000, 1 << 20, CancellationToken.None),
            _ => await ParquetTableReader.OpenAsync(stream, CancellationToken.None),
        };
        await using (reader)
        {
            var rows = new List<Dictionary<string, object?>>();
            await foreach (var part in reader.ReadPartsAsync(_ => true, CancellationToken.None))
            {
                for (var r = 0; r < part.RowCount; r++)
                {
                    rows.Add(reader.Columns.Select((c, i) => (c.Name, Value: part.Columns[i][r])).ToDictionary(p => p.Name, p => p.Value));
                }
            }

            return rows;
        }
    }

    /// <summary>A cell as a list of integers, whatever the format carried it as (a list, or CSV text of a JSON array).</summary>
    public static int[] Ints(object? cell) => cell switch
    {
        object?[] list => list.Select(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
        string text when JsonValuesHelper.TryParse(text, out var list) => Ints(list),
        _ => throw new InvalidOperationException($"not a list: {cell}"),
    };

    public static long Long(object? cell) => Convert.ToInt64(cell, System.Globalization.CultureInfo.InvariantCulture);

    private static class JsonValuesHelper
    {
        public static bool TryParse(string text, out object?[] list) => JsonValues.TryParseArrayText(text, out list);
    }
}
