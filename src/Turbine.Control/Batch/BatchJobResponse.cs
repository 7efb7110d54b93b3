using Turbine.Batch.Jobs;

namespace Turbine.Control.Batch;

/// <summary>A batch job as the API reports it: state, progress and, once finished, its summary or error.</summary>
/// <param name="Id">The job id.</param>
/// <param name="State">queued, running, cancelling, completed, failed or cancelled.</param>
/// <param name="Owner">The token name that submitted it.</param>
/// <param name="Model">The model (or registry reference) scored.</param>
/// <param name="Deployment">The deployment scored through the gateway, or null for in-process.</param>
/// <param name="Input">The input as submitted.</param>
/// <param name="Output">The output as submitted.</param>
/// <param name="RowsDone">Rows in committed parts of this run.</param>
/// <param name="RowsTotal">Rows this run has to do, when the input says (Parquet), else null.</param>
/// <param name="RowsFailed">Rows that went to the errors file in this run.</param>
/// <param name="PartsCommitted">Parts committed in this run.</param>
/// <param name="RowsPerSecond">Rows done per second since the job started running.</param>
/// <param name="EtaSeconds">Seconds left at that rate, when the total is known.</param>
/// <param name="Error">Why the job failed, or null.</param>
/// <param name="SubmittedAt">When it was submitted.</param>
/// <param name="StartedAt">When it started running.</param>
/// <param name="FinishedAt">When it finished.</param>
/// <param name="Summary">The run's summary once finished (as <c>turbine batch run --output-format json</c>).</param>
public sealed record BatchJobResponse(
    string Id,
    string State,
    string Owner,
    string Model,
    string? Deployment,
    string Input,
    string Output,
    long RowsDone,
    long? RowsTotal,
    long RowsFailed,
    int PartsCommitted,
    double RowsPerSecond,
    double? EtaSeconds,
    string? Error,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    BatchSummary? Summary)
{
    /// <summary>True when the job will not change any more.</summary>
    public bool IsFinished => State is "completed" or "failed" or "cancelled";
}

/// <summary><c>GET /api/v1/batch/jobs</c>: the jobs the caller may see, newest first.</summary>
/// <param name="Jobs">The jobs.</param>
public sealed record BatchJobListResponse(IReadOnlyList<BatchJobResponse> Jobs);
