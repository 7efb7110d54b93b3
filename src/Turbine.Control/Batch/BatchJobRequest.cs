namespace Turbine.Control.Batch;

/// <summary>
/// <c>POST /api/v1/batch/jobs</c>: the options of <c>turbine batch run</c> (docs/batch.md) as JSON. Paths are inside the
/// control plane's batch folder. With <see cref="Deployment"/> the job scores through the gateway against that
/// deployment's model; otherwise <see cref="Model"/> loads in-process (a repository model or a registry reference).
/// </summary>
public sealed record BatchJobRequest
{
    public string? Model { get; init; }

    public string? Version { get; init; }

    public string? Deployment { get; init; }

    /// <summary>Remote protocol through the gateway: http (default) or grpc.</summary>
    public string? Protocol { get; init; }

    public string? Input { get; init; }

    public string? Output { get; init; }

    public string? Errors { get; init; }

    public string? InputFormat { get; init; }

    public string? OutputFileFormat { get; init; }

    public IReadOnlyList<string>? KeepColumns { get; init; }

    public string? IdColumn { get; init; }

    /// <summary><c>--map</c> specs: <c>INPUT=COL[,COL...]</c>.</summary>
    public IReadOnlyList<string>? Map { get; init; }

    /// <summary><c>--output-column</c> specs: <c>OUTPUT[=COLUMN]</c>.</summary>
    public IReadOnlyList<string>? OutputColumns { get; init; }

    public int Classification { get; init; }

    public int? PartRows { get; init; }

    public int? MaxPartRows { get; init; }

    public int BatchSize { get; init; }

    public int Concurrency { get; init; }

    public long? MaxErrors { get; init; }

    public int? PartRetries { get; init; }

    public bool Resume { get; init; }

    public bool Overwrite { get; init; }
}
