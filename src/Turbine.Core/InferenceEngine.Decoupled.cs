using System.Diagnostics;
using Turbine.Core.Backends;
using Turbine.Core.Lifecycle;
using Turbine.Core.Scheduling;
using Turbine.Core.Tensors;
using Turbine.Core.Validation;

namespace Turbine.Core;

public sealed partial class InferenceEngine
{
    /// <summary>
    /// Runs one request and hands every response to <paramref name="sink"/> as it is produced: one (final) for an
    /// ordinary model; zero, one or many for a decoupled model (<c>model_transaction_policy { decoupled: true }</c>), the
    /// last with the final flag. Returns null when the request completed, or the error that ended it (responses sent
    /// before the error stay sent). The request keeps ownership of its inputs.
    /// </summary>
    /// <param name="request">The request; the caller disposes it after this returns.</param>
    /// <param name="sink">Where the responses go.</param>
    /// <param name="cancellationToken">Cancelled when the caller goes away: the model sees it, later responses are released unsent.</param>
    public async ValueTask<InferenceError?> InferStreamAsync(InferenceRequest request, IInferenceResponseSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sink);
        if (_manager.Budget is not null && _manager.Serving(request.ModelName).IsEmpty)
        {
            // Not loaded under a memory budget: load it first, so a decoupled model streams all its responses.
            await EnsureModelLoadedAsync(request.ModelName, request.ModelVersion, cancellationToken).ConfigureAwait(false);
        }

        if (!IsDecoupled(request))
        {
            var result = await InferAsync(request, cancellationToken).ConfigureAwait(false);
            if (!result.IsOk)
            {
                return result.Error;
            }

            sink.OnResponse(result.Value, final: true);
            return null;
        }

        return await RunDecoupledAsync(request, sink, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the version the request would run on is a decoupled model's.</summary>
    public bool IsDecoupled(InferenceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var config = GetModelConfig(request.ModelName, request.ModelVersion);
        return config.IsOk && config.Value.TransactionPolicy is { Decoupled: true };
    }

    /// <summary>
    /// A decoupled model asked through a single-response API (REST, unary calls, business-logic scripting): answered
    /// when it sends exactly one response, else Triton's error (<c>expected a single response, got N</c>).
    /// </summary>
    private async ValueTask<Result<InferenceResponse>> InferSingleFromDecoupledAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var collected = new CollectingSink();
        try
        {
            var error = await RunDecoupledAsync(request, collected, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            if (collected.Responses.Count != 1)
            {
                return InferenceError.Internal($"expected a single response, got {collected.Responses.Count}");
            }

            var single = collected.Responses[0];
            collected.Responses.Clear();
            return Result<InferenceResponse>.Ok(single);
        }
        finally
        {
            foreach (var left in collected.Responses)
            {
                left.Dispose();
            }
        }
    }

    private async ValueTask<InferenceError?> RunDecoupledAsync(InferenceRequest request, IInferenceResponseSink sink, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        StartRequest(request, start, out var received);
        var acquired = _manager.Acquire(request.ModelName, request.ModelVersion);
        if (!acquired.IsOk && _manager.Budget is not null)
        {
            acquired = await AcquireOnDemandAsync(request.ModelName, request.ModelVersion, acquired, cancellationToken).ConfigureAwait(false);
        }

        if (!acquired.IsOk)
        {
            CompleteFailed(request, received, acquired.Error);
            return acquired.Error;
        }

        var version = acquired.Value;
        DecoupledWriter? writer = null;
        try
        {
            var error = await ScheduleDecoupledAsync(version, request, sink, w => writer = w, cancellationToken).ConfigureAwait(false);
            if (error is null)
            {
                CompleteRequest(request.ModelName, version.Version, request.Protocol, received, request.Activity, StatusCode.Ok, null);
                return null;
            }

            version.Statistics.RecordFailure(ElapsedNs(start));
            CompleteFailed(request, received, error);
            return error;
        }
        catch (OperationCanceledException)
        {
            var cancelled = new InferenceError(StatusCode.Cancelled, "the request was cancelled");
            CompleteFailed(request, received, cancelled);
            return cancelled;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            EngineLog.InferFailed(_logger, request.ModelName, e);
            version.Statistics.RecordFailure(ElapsedNs(start));
            var error = InferenceError.Internal($"inference on model '{request.ModelName}' failed: {e.Message}");
            CompleteFailed(request, received, error);
            return error;
        }
        finally
        {
            // Responses the model sends after this point (it ignored the end of the request) are released unsent.
            writer?.Close();
            version.Release();
        }
    }

    private static async ValueTask<InferenceError?> ScheduleDecoupledAsync(LoadedVersion version, InferenceRequest request, IInferenceResponseSink sink,
        Action<DecoupledWriter> created, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var config = version.Config;
        var validated = RequestValidator.Validate(config, request);
        if (!validated.IsOk)
        {
            return validated.Error;
        }

        IReadOnlyList<string> outputNames = request.Outputs.Count > 0 ? [.. request.Outputs.Select(o => o.Name)] : version.AllOutputNames;
        var writer = new DecoupledWriter(version, request.Id, sink);
        created(writer);
        var scheduled = new ScheduleRequest(ToModelLayout(config, request.Inputs), outputNames, validated.Value, request.Priority,
            request.TimeoutMicroseconds, Origin: request, Decoupled: writer);
        var executed = await version.Scheduler.ExecuteAsync(scheduled, cancellationToken).ConfigureAwait(false);
        if (!executed.IsOk)
        {
            return executed.Error;
        }

        if (!writer.SawFinal)
        {
            return InferenceError.Internal($"model '{config.Name}' returned from execute without sending the final flag of request '{request.Id}'");
        }

        var run = executed.Value.Result;
        version.Statistics.RecordSuccess(validated.Value, ElapsedNs(start), executed.Value.QueueNs, run.ComputeInputNs, run.ComputeInferNs, run.ComputeOutputNs);
        return null;
    }

    /// <summary>Turns a decoupled instance's sends into responses (each holding the version) for the sink, until closed.</summary>
    private sealed class DecoupledWriter(LoadedVersion version, string requestId, IInferenceResponseSink sink) : IDecoupledResponseWriter
    {
        private readonly Lock _lock = new();
        private bool _final;
        private bool _closed;

        public bool SawFinal
        {
            get
            {
                lock (_lock)
                {
                    return _final;
                }
            }
        }

        public void Send(List<InferenceTensor>? outputs, bool final)
        {
            lock (_lock)
            {
                if (_final || _closed)
                {
                    Release(outputs);
                    if (_final)
                    {
                        throw new InvalidOperationException($"model '{version.Config.Name}' sent a response after the final flag of request '{requestId}'");
                    }

                    return;
                }

                _final = final;

                // Each response holds the version with a reference of its own (the request's is released when it ends);
                // the request's reference is held until Close, so taking one here always succeeds.
#pragma warning disable CA2000 // ownership passes to the sink
                var response = outputs is null || !version.TryAcquire()
                    ? null
                    : new InferenceResponse(version.Config.Name, version.Version, requestId, outputs, version.Lease());
#pragma warning restore CA2000
                sink.OnResponse(response, final);
            }
        }

        public void Close()
        {
            lock (_lock)
            {
                _closed = true;
            }
        }

        private static void Release(List<InferenceTensor>? outputs)
        {
            foreach (var output in outputs ?? [])
            {
                output.Dispose();
            }
        }
    }

    private sealed class CollectingSink : IInferenceResponseSink
    {
        public List<InferenceResponse> Responses { get; } = [];

        public void OnResponse(InferenceResponse? response, bool final)
        {
            if (response is not null)
            {
                Responses.Add(response);
            }
        }
    }
}
