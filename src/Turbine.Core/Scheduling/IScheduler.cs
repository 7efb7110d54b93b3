using Turbine.Core.Backends;
using Turbine.Core.Tensors;

namespace Turbine.Core.Scheduling;

/// <summary>
/// Decides when and on which instance a request runs (named policy: the instance pool now; the dynamic and
/// sequence batchers later). Expected failures (timeout, cancellation) come back as values.
/// </summary>
public interface IScheduler : IDisposable
{
    string Name { get; }

    /// <summary>Requests waiting for an instance.</summary>
    int QueueDepth { get; }

    ValueTask<Result<ScheduledExecution>> ExecuteAsync(
        IReadOnlyList<InferenceTensor> inputs,
        IReadOnlyList<string> outputNames,
        long batchSize,
        long timeoutMicroseconds,
        CancellationToken cancellationToken);
}

/// <summary>An execution result and how long the request waited for it.</summary>
public sealed record ScheduledExecution(ExecutionResult Result, long QueueNs);
