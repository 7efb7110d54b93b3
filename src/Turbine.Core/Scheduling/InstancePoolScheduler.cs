using System.Diagnostics;
using Turbine.Core.Backends;
using Turbine.Core.Stats;

namespace Turbine.Core.Scheduling;

/// <summary>
/// Runs each request on the next free instance of the version (Triton's default scheduler without
/// batching): as many requests execute at once as there are instances, the rest wait in FIFO order.
/// A request whose <c>timeout</c> passes while it waits is rejected as unavailable; <c>priority</c> is ignored.
/// </summary>
internal sealed class InstancePoolScheduler : IScheduler
{
    public const string PolicyName = "instance-pool";

    // Free instances, lowest slot first (the most recently used stays hot). An array of slots rather than a
    // ConcurrentStack: taking and returning allocates nothing (the stack allocated a node per request).
    private readonly IModelInstance?[] _free;
    private readonly IModelInstance[] _all;
    private readonly SemaphoreSlim _available;
    private readonly ModelStatistics _statistics;
    private int _waiting;

    public InstancePoolScheduler(IReadOnlyList<IModelInstance> instances, ModelStatistics statistics)
    {
        _statistics = statistics;
        _all = [.. instances];
        _free = [.. _all];
        _available = new SemaphoreSlim(_all.Length, _all.Length);
    }

    public string Name => PolicyName;

    public int QueueDepth => Volatile.Read(ref _waiting);

    public async ValueTask<Result<ScheduledExecution>> ExecuteAsync(ScheduleRequest request, CancellationToken cancellationToken)
    {
        var timeoutMicroseconds = request.TimeoutMicroseconds;
        var start = Stopwatch.GetTimestamp();
        // A zero-timeout probe never blocks, so it takes no token; the wait below does.
        if (!_available.Wait(0, CancellationToken.None))
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                var timeout = timeoutMicroseconds > 0
                    ? TimeSpan.FromMilliseconds(Math.Min(Math.Ceiling(timeoutMicroseconds / 1000.0), int.MaxValue - 1))
                    : Timeout.InfiniteTimeSpan;
                if (!await _available.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
                {
                    return InferenceError.Unavailable(
                        $"request timeout expired: waited {timeoutMicroseconds} us for a free instance");
                }
            }
            catch (OperationCanceledException)
            {
                return new InferenceError(StatusCode.Cancelled, "request cancelled while waiting for a free instance");
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        var queueNs = ElapsedNs(start);
#pragma warning disable CA2000 // the instance belongs to the pool and goes back to it below, it is not created here
        var instance = TakeFree();
#pragma warning restore CA2000
        try
        {
            var result = request.Decoupled is { } writer
                ? ((IDecoupledModelInstance)instance).ExecuteDecoupled(request.Inputs, request.OutputNames, writer, cancellationToken)
                : instance.Execute(request.Inputs, request.OutputNames, cancellationToken);
            _statistics.RecordExecution(request.BatchSize, result.ComputeInputNs, result.ComputeInferNs, result.ComputeOutputNs);
            return Result<ScheduledExecution>.Ok(new ScheduledExecution(result, queueNs));
        }
        catch (InferenceException e)
        {
            return e.Error;
        }
        catch (OperationCanceledException)
        {
            return new InferenceError(StatusCode.Cancelled, "request cancelled during execution");
        }
        finally
        {
            ReturnFree(instance);
            _available.Release();
        }
    }

    /// <summary>A free instance: the caller holds a token of <c>_available</c>, so one is free or about to be put back.</summary>
    private IModelInstance TakeFree()
    {
        var spin = default(SpinWait);
        while (true)
        {
            for (var i = 0; i < _free.Length; i++)
            {
                if (Volatile.Read(ref _free[i]) is not null && Interlocked.Exchange(ref _free[i], null) is { } instance)
                {
                    return instance;
                }
            }

            spin.SpinOnce(); // another request took the one we saw; the token we hold guarantees one more
        }
    }

    private void ReturnFree(IModelInstance instance)
    {
        for (var i = 0; ; i = (i + 1) % _free.Length)
        {
            if (Interlocked.CompareExchange(ref _free[i], instance, null) is null)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        foreach (var instance in _all)
        {
            instance.Dispose();
        }

        _available.Dispose();
    }

    internal static long ElapsedNs(long startTimestamp) =>
        (long)((Stopwatch.GetTimestamp() - startTimestamp) * (1_000_000_000.0 / Stopwatch.Frequency));
}
