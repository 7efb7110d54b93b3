namespace Turbine.Batch.Tables;

/// <summary>The file formats <c>turbine batch</c> reads and writes.</summary>
public enum TableFormat
{
    Csv,
    JsonLines,
    Parquet,
}

/// <summary>Format names and file extensions.</summary>
public static class TableFormats
{
    /// <summary>The format named <paramref name="name"/> (csv, jsonl, parquet), or the one the path's extension implies.</summary>
    /// <param name="name">An explicit format name, or null.</param>
    /// <param name="path">The file's path or s3:// URI.</param>
    public static TableFormat Resolve(string? name, string path)
    {
        if (name is { Length: > 0 })
        {
            return name.ToLowerInvariant() switch
            {
                "csv" => TableFormat.Csv,
                "jsonl" or "ndjson" or "json" => TableFormat.JsonLines,
                "parquet" => TableFormat.Parquet,
                _ => throw new ArgumentException($"format '{name}' is not one of csv, jsonl, parquet"),
            };
        }

        var lower = path.ToLowerInvariant();
        if (lower.EndsWith(".csv", StringComparison.Ordinal))
        {
            return TableFormat.Csv;
        }

        if (lower.EndsWith(".jsonl", StringComparison.Ordinal) || lower.EndsWith(".ndjson", StringComparison.Ordinal) || lower.EndsWith(".json", StringComparison.Ordinal))
        {
            return TableFormat.JsonLines;
        }

        if (lower.EndsWith(".parquet", StringComparison.Ordinal) || lower.EndsWith(".pq", StringComparison.Ordinal))
        {
            return TableFormat.Parquet;
        }

        throw new ArgumentException($"cannot tell the format of '{path}' from its extension (.csv, .jsonl, .parquet); name it with --input-format/--output-format-file");
    }

    /// <summary>The extension part files of <paramref name="format"/> use.</summary>
    public static string Extension(TableFormat format) => format switch
    {
        TableFormat.Csv => ".csv",
        TableFormat.JsonLines => ".jsonl",
        _ => ".parquet",
    };
}
