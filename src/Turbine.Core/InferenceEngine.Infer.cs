using ShmBinding = Turbine.Core.SharedMemory.SharedMemoryBinding;
using System.Diagnostics;
using Turbine.Core.Config;
using Turbine.Core.Lifecycle;
using Turbine.Core.Scheduling;
using Turbine.Core.Tensors;
using Turbine.Core.Validation;

namespace Turbine.Core;

public sealed partial class InferenceEngine
{
    /// <summary>
    /// Runs one request. The request keeps ownership of its inputs (the caller disposes it); the response owns
    /// its outputs and a hold on the model version, released when the response is disposed.
    /// </summary>
    /// <remarks>
    /// The request's telemetry is the engine's: its <c>turbine.infer</c> span starts here (see
    /// <see cref="InferenceRequest.Activity"/>) and, with the one duration observation, ends when the response is
    /// released, or here when the request fails.
    /// </remarks>
    public async ValueTask<Result<InferenceResponse>> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        if (_manager.Budget is not null && _manager.Serving(request.ModelName).IsEmpty)
        {
            // Not loaded under a memory budget: load it first, so a decoupled model takes its own path below.
            await EnsureModelLoadedAsync(request.ModelName, request.ModelVersion, cancellationToken).ConfigureAwait(false);
        }

        if (IsDecoupled(request))
        {
            return await InferSingleFromDecoupledAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var start = Stopwatch.GetTimestamp();
        var span = StartRequest(request, start, out var received);
        var acquired = _manager.Acquire(request.ModelName, request.ModelVersion);
        if (!acquired.IsOk && _manager.Budget is not null)
        {
            acquired = await AcquireOnDemandAsync(request.ModelName, request.ModelVersion, acquired, cancellationToken).ConfigureAwait(false);
        }

        if (!acquired.IsOk)
        {
            return Complete(request, received, acquired.Error);
        }

        var version = acquired.Value;
        var payload = _payloadLog is not null && !request.ExcludeFromPayloadLog ? SamplePayload(version.Config) : null;
        var handedOver = false;
        ShmBinding.OutputRegions? outputRegions = null;
        try
        {
            // Shared memory (any front end): inputs become views of their regions, output regions are checked and held.
            var bound = BindSharedMemory(request, out outputRegions);
            var result = bound is null
                ? await RunAsync(version, request, start, span, cancellationToken).ConfigureAwait(false)
                : Result<InferenceResponse>.Fail(bound);
            handedOver = result.IsOk;
            if (!result.IsOk)
            {
                version.Statistics.RecordFailure(ElapsedNs(start));
            }

            if (payload is not null)
            {
                LogPayload(payload, version, request, start, result.IsOk ? result.Value : null, result.IsOk ? null : result.Error);
            }

            // Monitoring: sampled before anything is copied; the tap copies what it needs while the buffers are alive.
            if (result.IsOk && _tap is not null && _tap.Sample(version.Config.Name, request))
            {
                _tap.Observe(version.Config.Name, version.Version, request, result.Value);
            }

            if (result.IsOk && outputRegions?.Write(result.Value) is { } writeError)
            {
                // The response held the version: disposing it releases that hold (handedOver stays true).
                result.Value.Dispose();
                version.Statistics.RecordFailure(ElapsedNs(start));
                return Complete(request, received, writeError);
            }

            return Complete(request, received, result);
        }
        catch (OperationCanceledException)
        {
            var cancelled = new InferenceError(StatusCode.Cancelled, "the request was cancelled");
            if (payload is not null)
            {
                LogPayload(payload, version, request, start, null, cancelled);
            }

            CompleteFailed(request, received, cancelled);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            EngineLog.InferFailed(_logger, request.ModelName, e);
            version.Statistics.RecordFailure(ElapsedNs(start));
            var error = InferenceError.Internal($"inference on model '{request.ModelName}' failed: {e.Message}");
            if (payload is not null)
            {
                LogPayload(payload, version, request, start, null, error);
            }

            return Complete(request, received, error);
        }
        finally
        {
            outputRegions?.Dispose();
            if (!handedOver)
            {
                version.Release();
            }
        }
    }

    private InferenceError? BindSharedMemory(InferenceRequest request, out ShmBinding.OutputRegions? outputRegions)
    {
        outputRegions = null;
        var error = ShmBinding.BindInputs(SharedMemory, request);
        if (error is not null)
        {
            return error;
        }

        var outputs = ShmBinding.BindOutputs(SharedMemory, request);
        if (!outputs.IsOk)
        {
            return outputs.Error;
        }

        outputRegions = outputs.Value;
        return null;
    }

    /// <summary>
    /// Hands the request's telemetry to the response (ended when it is released) or ends it now with the error.
    /// </summary>
    private Result<InferenceResponse> Complete(InferenceRequest request, long received, Result<InferenceResponse> result)
    {
        if (result.IsOk)
        {
            result.Value.CompleteOnRelease(this, request.Protocol, received, request.Activity);
        }
        else
        {
            CompleteFailed(request, received, result.Error);
        }

        return result;
    }

    private async ValueTask<Result<InferenceResponse>> RunAsync(LoadedVersion version, InferenceRequest request, long start, System.Diagnostics.Activity? span, CancellationToken cancellationToken, Graphs.StepTimes? stepTimes = null)
    {
        var config = version.Config;
        var validated = RequestValidator.Validate(config, request);
        if (!validated.IsOk)
        {
            return validated.Error;
        }

        var batch = validated.Value;
        UInt128 cacheKey = default;
        long lookupNs = 0;
        var cached = _cache is not null && config.ResponseCache is { Enable: true };
        if (cached)
        {
            var lookupStart = Stopwatch.GetTimestamp();
            cacheKey = Caching.ResponseCache.Key(version.Identity, request);
            var hit = _cache!.TryGet(cacheKey, out var cachedOutputs);
            lookupNs = ElapsedNs(lookupStart);
            if (hit)
            {
                span?.SetTag(EngineTracing.CacheHitTag, true);
                version.Statistics.RecordCacheHit(batch, ElapsedNs(start), lookupNs);
#pragma warning disable CA2000 // ownership passes to the caller inside the Result
                return Result<InferenceResponse>.Ok(new InferenceResponse(
                    config.Name, version.Version, request.Id, cachedOutputs.Select(o => o.ToTensor()).ToList(), version.Lease()));
#pragma warning restore CA2000
            }
        }

        var inputs = ToModelLayout(config, request.Inputs);
        IReadOnlyList<string> outputNames = version.AllOutputNames;
        if (request.Outputs.Count > 0)
        {
            var names = new string[request.Outputs.Count];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = request.Outputs[i].Name;
            }

            outputNames = names;
        }

        SequenceRequest? sequence = null;
        if (config.SequenceBatching is not null)
        {
            var parsed = SequenceRequest.Parse(request.Parameters);
            if (!parsed.IsOk)
            {
                return parsed.Error;
            }

            sequence = parsed.Value;
        }

        var scheduled = new ScheduleRequest(inputs, outputNames, batch, request.Priority, request.TimeoutMicroseconds, sequence, request);
        var queueStart = span is null ? default : DateTimeOffset.UtcNow;
        var executed = await version.Scheduler.ExecuteAsync(scheduled, cancellationToken).ConfigureAwait(false);
        if (!executed.IsOk)
        {
            return executed.Error;
        }

        var run = executed.Value.Result;
        stepTimes?.Add(executed.Value.QueueNs, run.ComputeInputNs, run.ComputeInferNs, run.ComputeOutputNs);
        if (span is not null)
        {
            EngineTracing.RecordStages(span, queueStart, executed.Value.QueueNs, run.ComputeInputNs, run.ComputeInferNs, run.ComputeOutputNs);
        }

        var outputs = run.Outputs;
        for (var i = 0; i < outputs.Count && (version.HasOutputReshape || request.Outputs.Count > 0); i++)
        {
            if (version.HasOutputReshape && FindOutput(config, outputs[i].Name) is { Reshape: not null } spec)
            {
                var o = outputs[i];
                long[] shape = config.MaxBatchSize > 0 ? [o.Shape.Length > 0 ? o.Shape[0] : batch, .. spec.Dims] : [.. spec.Dims];
                if (TensorShape.ElementCount(shape) == o.ElementCount)
                {
                    outputs[i] = Relabel(o, shape);
                }
            }

            var requested = FindRequested(request.Outputs, outputs[i].Name);
            if (requested is { ClassificationCount: > 0 } r)
            {
                var original = outputs[i];
                version.Labels.TryGetValue(original.Name, out var labels);
                outputs[i] = Classification.TopK(original, r.ClassificationCount, config.MaxBatchSize > 0, labels);
                original.Dispose();
            }
        }

        if (cached)
        {
            var insertStart = Stopwatch.GetTimestamp();
            _cache!.Put(cacheKey, outputs);
            version.Statistics.RecordCacheMiss(lookupNs + ElapsedNs(insertStart));
        }

        version.Statistics.RecordSuccess(batch, ElapsedNs(start), executed.Value.QueueNs, run.ComputeInputNs, run.ComputeInferNs, run.ComputeOutputNs);
#pragma warning disable CA2000 // ownership passes to the caller inside the Result
        return Result<InferenceResponse>.Ok(InferenceResponse.Holding(version, request.Id, outputs));
#pragma warning restore CA2000
    }

    // A loop, not config.Outputs.First(lambda): the lambda captured this method's locals, and the compiler allocated
    // their closure object on every request, reshape or not (issue 22, P7 round 3).
    private static Config.ModelOutput? FindOutput(ModelConfig config, string name)
    {
        foreach (var o in config.Outputs)
        {
            if (o.Name == name)
            {
                return o;
            }
        }

        return null;
    }

    private static RequestedOutput? FindRequested(List<RequestedOutput> requested, string name)
    {
        foreach (var r in requested)
        {
            if (r.Name == name)
            {
                return r;
            }
        }

        return null;
    }

    /// <summary>Applies input <c>reshape</c>: the same bytes under the shape the model itself declares.</summary>
    private static IReadOnlyList<InferenceTensor> ToModelLayout(ModelConfig config, List<InferenceTensor> inputs)
    {
        var anyReshape = false;
        foreach (var i in config.Inputs)
        {
            anyReshape |= i.Reshape is not null;
        }

        if (!anyReshape)
        {
            return inputs;
        }

        var result = new List<InferenceTensor>(inputs.Count);
        foreach (var input in inputs)
        {
            var spec = config.Inputs.First(i => i.Name == input.Name);
            if (spec.Reshape is { } reshape)
            {
                long[] shape = config.MaxBatchSize > 0 ? [input.Shape[0], .. reshape] : [.. reshape];
                result.Add(new InferenceTensor(input.Name, input.DataType, shape, input.Data));
            }
            else
            {
                result.Add(input);
            }
        }

        return result;
    }

    private static InferenceTensor Relabel(InferenceTensor tensor, long[] shape) =>
        new(tensor.Name, tensor.DataType, shape, tensor.Data, new TensorOwner(tensor));

    private static long ElapsedNs(long startTimestamp) =>
        (long)((Stopwatch.GetTimestamp() - startTimestamp) * (1_000_000_000.0 / Stopwatch.Frequency));

    private sealed class TensorOwner(InferenceTensor inner) : IDisposable
    {
        public void Dispose() => inner.Dispose();
    }
}
