using Turbine.Batch.Tables;

namespace Turbine.Batch;

/// <summary>What <c>turbine batch run</c> was asked to do. Defaults are documented per property (docs/batch.md).</summary>
public sealed record BatchJobOptions
{
    /// <summary>Input file (local path or s3://bucket/key).</summary>
    public required string Input { get; init; }

    /// <summary>Output file (local path or s3://bucket/key); parts and manifests go to <c>OUTPUT.parts/</c>.</summary>
    public required string Output { get; init; }

    /// <summary>Input format; null: from the input's extension.</summary>
    public TableFormat? InputFormat { get; init; }

    /// <summary>Output format; null: from the output's extension.</summary>
    public TableFormat? OutputFormat { get; init; }

    /// <summary>Errors file (JSON Lines: row, error); null: <c>OUTPUT.errors.jsonl</c>.</summary>
    public string? ErrorsPath { get; init; }

    /// <summary>Records per part for CSV and JSON Lines (Parquet parts are row groups). Default 10 000.</summary>
    public int PartRows { get; init; } = 10_000;

    /// <summary>Rows per inference request; 0: the model's max_batch_size.</summary>
    public int BatchSize { get; init; }

    /// <summary>Requests in flight at once; 0: twice the model's instance count (in-process), 4 (remote).</summary>
    public int Concurrency { get; init; }

    /// <summary>Stop the job once more rows than this have failed (-1: no limit, the default).</summary>
    public long MaxErrors { get; init; } = -1;

    /// <summary>How many times a part whose requests fail as a whole is retried before the job fails. Default 3.</summary>
    public int PartRetries { get; init; } = 3;

    /// <summary>Continue a job: skip the parts its manifest says are committed.</summary>
    public bool Resume { get; init; }

    /// <summary>Start over even if a manifest from an earlier run exists.</summary>
    public bool Overwrite { get; init; }

    /// <summary>This shard (0-based); parts p with p % ShardCount == ShardIndex are this shard's.</summary>
    public int ShardIndex { get; init; }

    /// <summary>Number of shards (1: no sharding; the run assembles the output itself).</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>
    /// With several shards: once this shard is done, assemble the output if every shard is (the last shard of an
    /// indexed Job to finish does it; assembling again writes the same bytes).
    /// </summary>
    public bool MergeWhenComplete { get; init; }

    /// <summary>Model input → columns concatenated into it (<c>--map</c>); inputs not named take the column of their name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> InputMap { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Model output → output column (<c>--output-column</c>); empty: every output under its own name.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> OutputColumns { get; init; } = [];

    /// <summary>Input columns copied to each output row (<c>--keep-columns</c>).</summary>
    public IReadOnlyList<string> KeepColumns { get; init; } = [];

    /// <summary>An id column copied to each output row when <see cref="KeepColumns"/> is empty.</summary>
    public string? IdColumn { get; init; }

    /// <summary>Top-k classes per output as "score:index:label" strings (0: raw tensors).</summary>
    public int Classification { get; init; }

    /// <summary>Largest Parquet row group decoded as one part (memory bound). Default 1 000 000.</summary>
    public int MaxPartRows { get; init; } = 1_000_000;

    /// <summary>Longest line / CSV field, characters. Default 64 Mi.</summary>
    public int MaxRowChars { get; init; } = 64 << 20;

    /// <summary>A description of the model used in the job fingerprint (a resumed job must use the same model).</summary>
    public string ModelReference { get; init; } = "";

    /// <summary>The effective errors path.</summary>
    public string EffectiveErrorsPath => ErrorsPath ?? Output + ".errors.jsonl";

    /// <summary>The folder of parts and manifests.</summary>
    public string PartsFolder => Output + ".parts";

    /// <summary>Problems with the options, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (PartRows is < 1 or > 10_000_000)
        {
            problems.Add("--part-rows must be between 1 and 10000000");
        }

        if (BatchSize < 0 || Concurrency < 0 || Concurrency > 1024)
        {
            problems.Add("--batch-size must be ≥ 0 and --concurrency between 0 and 1024");
        }

        if (PartRetries is < 0 or > 100)
        {
            problems.Add("--part-retries must be between 0 and 100");
        }

        if (ShardCount < 1 || ShardIndex < 0 || ShardIndex >= ShardCount)
        {
            problems.Add($"--shard-index {ShardIndex} must be between 0 and --shard-count {ShardCount} - 1");
        }

        if (Resume && Overwrite)
        {
            problems.Add("--resume and --overwrite exclude each other");
        }

        if (Classification < 0)
        {
            problems.Add("--classification must be ≥ 0");
        }

        return problems;
    }
}
