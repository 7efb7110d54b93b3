using Turbine.Core.Backends;
using Turbine.Core.Scheduling;
using Turbine.Core.Tensors;

namespace Turbine.Core.Graphs;

/// <summary>
/// Triton's ensemble scheduler: runs a request through an <see cref="EnsembleGraph"/>, event-driven — a step
/// starts as soon as every tensor it reads exists, independent steps run at the same time. Each step is an
/// ordinary request to its composing model (<see cref="IStepRunner"/>), so that model's own scheduler (dynamic
/// batcher, instance pool, sequence batcher) runs it. Tensors pass between steps as views: no byte is copied.
/// </summary>
internal sealed class EnsembleScheduler : IScheduler
{
    /// <summary>The policy name (statistics, logs).</summary>
    public const string PolicyName = "ensemble";

    private readonly EnsembleGraph _graph;
    private readonly IStepRunner _runner;
    private readonly SemaphoreSlim[]? _inflight;
    private int _waiting;

    public EnsembleScheduler(EnsembleGraph graph, IStepRunner runner, int maxInflightRequests)
    {
        _graph = graph;
        _runner = runner;
        if (maxInflightRequests > 0)
        {
            _inflight = new SemaphoreSlim[graph.Steps.Length];
            for (var i = 0; i < _inflight.Length; i++)
            {
                _inflight[i] = new SemaphoreSlim(maxInflightRequests, maxInflightRequests);
            }
        }
    }

    public string Name => PolicyName;

    /// <summary>Step requests waiting for room under <c>max_inflight_requests</c>.</summary>
    public int QueueDepth => Volatile.Read(ref _waiting);

    public async ValueTask<Result<ScheduledExecution>> ExecuteAsync(ScheduleRequest request, CancellationToken cancellationToken)
    {
        var graph = _graph;
        var tensors = new InferenceTensor?[graph.TensorIds.Count];
        var responses = new SharedResponse?[graph.Steps.Length];
        var pending = new int[graph.Steps.Length];
        for (var s = 0; s < pending.Length; s++)
        {
            pending[s] = graph.Bindings[s].Reads.Select(r => r.TensorId).Distinct().Count();
        }

        var times = new StepTimes();
        var running = new Dictionary<Task<Result<InferenceResponse>>, int>();
        InferenceError? failure = null;
        var ready = new List<int>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            void Publish(int tensorId, InferenceTensor? tensor)
            {
                tensors[tensorId] = tensor;
                foreach (var consumer in graph.Consumers[tensorId])
                {
                    if (--pending[consumer] == 0)
                    {
                        ready.Add(consumer);
                    }
                }
            }

            // Steps that became ready together run concurrently: all but the last start on the thread pool, the last
            // one here (a chain of steps then never pays a thread hop per step).
            void StartReady()
            {
                for (var i = 0; i < ready.Count; i++)
                {
                    running[RunStepAsync(ready[i], tensors, request.Origin, times, yieldFirst: i < ready.Count - 1, stop.Token)] = ready[i];
                }

                ready.Clear();
            }

            foreach (var id in graph.InputIds)
            {
                // An optional ensemble input the request left out still "exists": its steps run without it.
                Publish(id, Find(request.Inputs, graph.TensorNames[id]));
            }

            for (var s = 0; s < pending.Length; s++)
            {
                if (graph.Bindings[s].Reads.Length == 0)
                {
                    ready.Add(s);
                }
            }

            StartReady();

            while (running.Count > 0)
            {
                var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
                var step = running[done];
                running.Remove(done);
                Result<InferenceResponse> result;
                try
                {
                    result = await done.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (failure is not null || cancellationToken.IsCancellationRequested)
                {
                    continue;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    result = e is InferenceException ie ? ie.Error : InferenceError.Internal(e.Message);
                }

                if (!result.IsOk)
                {
                    failure ??= new InferenceError(result.Error.Code, $"in ensemble '{graph.Name}', {graph.Describe(step)}: {result.Error.Message}");
                    await stop.CancelAsync().ConfigureAwait(false);
                    continue;
                }

                var shared = new SharedResponse(result.Value);
                if (failure is not null)
                {
                    shared.Release();
                    continue;
                }

                responses[step] = shared;
                foreach (var (name, id) in graph.Bindings[step].Writes)
                {
                    var produced = Find(result.Value.Outputs, name);
                    if (produced is null)
                    {
                        failure = InferenceError.Internal($"in ensemble '{graph.Name}', {graph.Describe(step)}: the model returned no output '{name}'");
                        await stop.CancelAsync().ConfigureAwait(false);
                        break;
                    }

                    Publish(id, produced);
                }

                if (failure is null)
                {
                    StartReady();
                }
                else
                {
                    ready.Clear();
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (failure is not null)
            {
                return failure;
            }

            var outputs = new List<InferenceTensor>(request.OutputNames.Count);
            foreach (var name in request.OutputNames)
            {
                var id = graph.TensorIds[name];
                var source = tensors[id]!;
                outputs.Add(new InferenceTensor(name, source.DataType, source.Shape, source.Data, responses[graph.Producers[id]]!.Hold()));
            }

            return Result<ScheduledExecution>.Ok(new ScheduledExecution(new ExecutionResult(outputs, times.InputNs, times.InferNs, times.OutputNs), times.QueueNs));
        }
        finally
        {
            if (running.Count > 0)
            {
                // Only reached when something threw: let the steps still running finish before their inputs go away.
                await stop.CancelAsync().ConfigureAwait(false);
                foreach (var task in running.Keys)
                {
                    try
                    {
                        var late = await task.ConfigureAwait(false);
                        if (late.IsOk)
                        {
                            late.Value.Dispose();
                        }
                    }
                    catch (Exception e) when (e is OperationCanceledException or InferenceException)
                    {
                        // Already failing.
                    }
                }
            }

            foreach (var shared in responses)
            {
                shared?.Release();
            }
        }
    }

    private async Task<Result<InferenceResponse>> RunStepAsync(int step, InferenceTensor?[] tensors, InferenceRequest? origin, StepTimes times, bool yieldFirst, CancellationToken cancellationToken)
    {
        if (yieldFirst)
        {
            // Independent steps run concurrently rather than one inside the other's start.
            await Task.Yield();
        }

        var spec = _graph.Steps[step];
        using var request = new InferenceRequest(spec.ModelName, spec.ModelVersion > 0 ? spec.ModelVersion : null)
        {
            Id = origin?.Id ?? "",
            Parameters = origin?.Parameters,
            TraceParent = origin?.Activity?.Context ?? origin?.TraceParent ?? default,
        };
        foreach (var (name, id) in _graph.Bindings[step].Reads)
        {
            if (tensors[id] is { } tensor)
            {
                request.Inputs.Add(new InferenceTensor(name, tensor.DataType, tensor.Shape, tensor.Data));
            }
        }

        foreach (var (name, _) in _graph.Bindings[step].Writes)
        {
            request.Outputs.Add(new RequestedOutput(name));
        }

        var gate = _inflight?[step];
        if (gate is not null && !gate.Wait(0, cancellationToken))
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        try
        {
            return await _runner.RunStepAsync(request, times, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate?.Release();
        }
    }

    private static InferenceTensor? Find(IReadOnlyList<InferenceTensor> tensors, string name)
    {
        foreach (var t in tensors)
        {
            if (t.Name == name)
            {
                return t;
            }
        }

        return null;
    }

    public void Dispose()
    {
        foreach (var gate in _inflight ?? [])
        {
            gate.Dispose();
        }
    }
}
