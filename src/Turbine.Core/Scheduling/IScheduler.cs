namespace Turbine.Core.Scheduling;

/// <summary>
/// Decides when and on which instance a request runs (named policy: <see cref="InstancePoolScheduler"/>,
/// <see cref="DynamicBatcher"/>; the sequence batcher later). Each scheduler records one execution per batch it
/// runs in the version's statistics. Expected failures (queue full, timeout, cancellation) come back as values.
/// </summary>
internal interface IScheduler : IDisposable
{
    string Name { get; }

    /// <summary>Requests waiting for an instance.</summary>
    int QueueDepth { get; }

    /// <summary>
    /// Runs one request and returns its own outputs (which the caller then owns) and how long it queued. The
    /// request's inputs must stay valid until the returned task completes.
    /// </summary>
    ValueTask<Result<ScheduledExecution>> ExecuteAsync(ScheduleRequest request, CancellationToken cancellationToken);
}
