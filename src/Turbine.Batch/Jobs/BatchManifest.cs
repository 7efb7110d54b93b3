using System.Text.Json;
using System.Text.Json.Serialization;
using Turbine.Batch.Tables;

namespace Turbine.Batch.Jobs;

/// <summary>
/// The record of one shard's committed parts, rewritten atomically after each part's files are in place: a part is
/// in the output exactly when it is in a manifest. <c>OUTPUT.parts/manifest-SHARD-of-COUNT.json</c>.
/// </summary>
internal sealed class BatchManifest
{
    [JsonPropertyName("version")]
    public int Version { get; set; } = 1;

    /// <summary>Hash of the input's identity, the model and the options that shape the output.</summary>
    [JsonPropertyName("fingerprint")]
    public string Fingerprint { get; set; } = "";

    [JsonPropertyName("shard_index")]
    public int ShardIndex { get; set; }

    [JsonPropertyName("shard_count")]
    public int ShardCount { get; set; } = 1;

    [JsonPropertyName("format")]
    public TableFormat Format { get; set; }

    [JsonPropertyName("columns")]
    public List<TableColumn> Columns { get; set; } = [];

    /// <summary>Parts in the whole input, once this shard has read it to the end; null until then.</summary>
    [JsonPropertyName("total_parts")]
    public int? TotalParts { get; set; }

    /// <summary>Rows in the whole input, once known.</summary>
    [JsonPropertyName("total_rows")]
    public long? TotalRows { get; set; }

    [JsonPropertyName("parts")]
    public SortedDictionary<int, CommittedPart> Parts { get; set; } = [];

    /// <summary>Whether every part of this shard is committed.</summary>
    [JsonIgnore]
    public bool Complete => TotalParts is { } total && Enumerable.Range(0, total).Where(p => p % ShardCount == ShardIndex).All(Parts.ContainsKey);

    public static string FileName(int shard, int count) => $"manifest-{shard:D5}-of-{count:D5}.json";

    public static string PartFileName(int part, TableFormat format) => $"part-{part:D6}{TableFormats.Extension(format)}";

    public static string ErrorsFileName(int part) => $"part-{part:D6}.errors.jsonl";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}

/// <summary>One committed part.</summary>
/// <param name="Rows">Input rows in the part.</param>
/// <param name="OutputRows">Rows written to the part's output file.</param>
/// <param name="Errors">Rows written to the part's errors file.</param>
internal sealed record CommittedPart(
    [property: JsonPropertyName("rows")] int Rows,
    [property: JsonPropertyName("output_rows")] int OutputRows,
    [property: JsonPropertyName("errors")] int Errors);
