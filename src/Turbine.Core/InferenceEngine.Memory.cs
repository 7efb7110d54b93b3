using Turbine.Core.Lifecycle;
using Turbine.Core.Memory;

namespace Turbine.Core;

/// <summary>The model memory budget seen from the request path: a request for a model not loaded waits for its load.</summary>
public sealed partial class InferenceEngine
{
    private const int OnDemandAttempts = 8;

    /// <summary>
    /// Under a memory budget, loads a model the source offers but that is not loaded (on demand, shared with concurrent
    /// callers), so metadata and configuration requests answer for it as they would once it served; null when it is
    /// loaded (or there is no budget, or the source does not offer it: the caller's own lookup then answers), else why
    /// the load failed. Completes at once without a budget.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="version">The version asked for, or null for the newest.</param>
    /// <param name="cancellationToken">Stops this caller's wait (not the shared load).</param>
    public async ValueTask<InferenceError?> EnsureModelLoadedAsync(string model, long? version, CancellationToken cancellationToken)
    {
        if (_manager.Budget is null || !_manager.Serving(model).IsEmpty)
        {
            return null;
        }

        var acquired = _manager.Acquire(model, version);
        if (!acquired.IsOk)
        {
            acquired = await AcquireOnDemandAsync(model, version, acquired, cancellationToken).ConfigureAwait(false);
        }

        if (acquired.IsOk)
        {
            acquired.Value.Release();
            return null;
        }

        return acquired.Error.Code == StatusCode.ResourceExhausted ? acquired.Error : null;
    }

    /// <summary>What the model memory budget holds and has done, or null when there is no budget.</summary>
    public MemoryBudgetStatistics? GetMemoryBudgetStatistics() => _manager.Budget?.Snapshot();

    /// <summary>
    /// After <paramref name="missed"/> (the model has no serving version, or the one the request found was just evicted),
    /// loads the model on demand (single flight, bounded by the load timeout) and takes a reference on the version the
    /// request asks for. A version evicted again before this request took it is loaded again, a few times at most.
    /// </summary>
    private async ValueTask<Result<LoadedVersion>> AcquireOnDemandAsync(string model, long? version, Result<LoadedVersion> missed, CancellationToken cancellationToken)
    {
        var budget = _manager.Budget!;
        var acquired = missed;
        for (var attempt = 0; attempt < OnDemandAttempts && !acquired.IsOk; attempt++)
        {
            var code = acquired.Error.Code;
            if (code is not (StatusCode.Unavailable or StatusCode.InvalidArgument) || _stopping.IsCancellationRequested || !_manager.Source.Contains(model))
            {
                return acquired;
            }

            if (attempt > 0 && !_manager.Serving(model).IsEmpty)
            {
                // Loaded, but the version asked for is not among those serving (the version policy does not select it).
                return acquired;
            }

            if (await budget.EnsureLoadedAsync(model, cancellationToken).ConfigureAwait(false) is { } error)
            {
                return error;
            }

            acquired = _manager.Acquire(model, version);
        }

        return acquired;
    }
}
