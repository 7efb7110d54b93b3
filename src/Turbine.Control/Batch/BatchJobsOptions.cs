namespace Turbine.Control.Batch;

/// <summary>
/// The control plane's batch job API (<c>/api/v1/batch/jobs</c>, docs/batch.md): where jobs may read and write, and how
/// many run at once. Without a <see cref="Folder"/> the API answers 404 "not enabled".
/// </summary>
public sealed record BatchJobsOptions
{
    /// <summary>
    /// The batch folder: every local <c>input</c>, <c>output</c> and <c>errors</c> path of a job resolves inside it
    /// (relative paths are relative to it; no <c>..</c> or link leads out). Null: the job API is off.
    /// </summary>
    public string? Folder { get; init; }

    /// <summary><c>s3://bucket/prefix/</c> prefixes jobs may read and write (default none: s3:// paths are refused).</summary>
    public IReadOnlyList<string> AllowedS3Prefixes { get; init; } = [];

    /// <summary>Jobs running at once (default 2); more wait in the queue, in submission order.</summary>
    public int MaxConcurrentJobs { get; init; } = 2;

    /// <summary>Jobs waiting at most (default 16); a submission beyond it gets 429.</summary>
    public int MaxQueuedJobs { get; init; } = 16;

    /// <summary>Finished jobs kept for <c>GET</c> (default 100); the oldest finished one is forgotten first.</summary>
    public int MaxFinishedJobs { get; init; } = 100;

    /// <summary>Problems with the options, empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MaxConcurrentJobs is < 1 or > 64)
        {
            problems.Add($"--batch-max-jobs must be between 1 and 64, got {MaxConcurrentJobs}");
        }

        if (MaxQueuedJobs is < 0 or > 10_000)
        {
            problems.Add($"--batch-max-queued must be between 0 and 10000, got {MaxQueuedJobs}");
        }

        if (MaxFinishedJobs is < 1 or > 100_000)
        {
            problems.Add($"the number of finished batch jobs kept must be between 1 and 100000, got {MaxFinishedJobs}");
        }

        foreach (var prefix in AllowedS3Prefixes)
        {
            if (!prefix.StartsWith("s3://", StringComparison.Ordinal) || !prefix.EndsWith('/') || prefix.Length < 7 || prefix.Contains("/../", StringComparison.Ordinal))
            {
                problems.Add($"--batch-s3-prefix '{prefix}' must look like s3://bucket/ or s3://bucket/prefix/ (ending in '/')");
            }
        }

        return problems;
    }
}
