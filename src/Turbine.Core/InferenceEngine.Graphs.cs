using System.Diagnostics;
using Turbine.Core.Graphs;

namespace Turbine.Core;

public sealed partial class InferenceEngine : IStepRunner
{
    /// <summary>
    /// A graph step: the same path as <see cref="InferAsync"/> (acquire, validate, cache, the model's scheduler,
    /// statistics) without the outer request's telemetry, payload log and shared memory, which belong to the graph request.
    /// </summary>
    async ValueTask<Result<InferenceResponse>> IStepRunner.RunStepAsync(InferenceRequest request, StepTimes times, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var acquired = _manager.Acquire(request.ModelName, request.ModelVersion);
        if (!acquired.IsOk && _manager.Budget is not null)
        {
            acquired = await AcquireOnDemandAsync(request.ModelName, request.ModelVersion, acquired, cancellationToken).ConfigureAwait(false);
        }

        if (!acquired.IsOk)
        {
            return acquired.Error;
        }

        var version = acquired.Value;
        var handedOver = false;
        try
        {
            var result = await RunAsync(version, request, start, null, cancellationToken, times).ConfigureAwait(false);
            handedOver = result.IsOk;
            if (!result.IsOk)
            {
                version.Statistics.RecordFailure(ElapsedNs(start));
            }

            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            EngineLog.InferFailed(_logger, request.ModelName, e);
            version.Statistics.RecordFailure(ElapsedNs(start));
            return InferenceError.Internal($"inference on model '{request.ModelName}' failed: {e.Message}");
        }
        finally
        {
            if (!handedOver)
            {
                version.Release();
            }
        }
    }
}
