using System.Collections.Concurrent;
using Turbine.Core.Backends;
using Turbine.Core.Scheduling;
using Turbine.Core.Tensors;

namespace Turbine.Core.Graphs;

/// <summary>
/// Runs a request through a <see cref="RoutingGraph"/> from its <c>root</c> node with KServe's InferenceGraph
/// semantics, in process. A payload (named tensors) flows from step to step; a model step receives the payload
/// tensors named like its inputs, or as its <c>inputMap</c> says (others are left out) and runs through that model's own scheduler
/// (<see cref="IStepRunner"/>); its outputs become the next payload, as views of its response. A Hard step's
/// failure fails the request; a Soft one's (KServe's default) is skipped where another result can stand in.
/// </summary>
internal sealed class RoutingGraphScheduler : IScheduler
{
    /// <summary>The policy name (statistics, logs).</summary>
    public const string PolicyName = "routing_graph";

    private readonly RoutingGraph _graph;
    private readonly IStepRunner _runner;
    private readonly Random _random;

    public RoutingGraphScheduler(RoutingGraph graph, IStepRunner runner, Random random)
    {
        _graph = graph;
        _runner = runner;
        _random = random;
    }

    public string Name => PolicyName;

    /// <summary>Graph requests do not queue here: their steps queue at their models.</summary>
    public int QueueDepth => 0;

    public async ValueTask<Result<ScheduledExecution>> ExecuteAsync(ScheduleRequest request, CancellationToken cancellationToken)
    {
        var run = new Run(request.Origin, cancellationToken);
        try
        {
            var input = new Dictionary<string, InferenceTensor>(StringComparer.Ordinal);
            foreach (var tensor in request.Inputs)
            {
                input[tensor.Name] = tensor;
            }

            var result = await RunNodeAsync(_graph.Nodes[RoutingGraph.Root], input, run).ConfigureAwait(false);
            if (!result.IsOk)
            {
                return result.Error;
            }

            var explicitOutputs = request.Origin is { Outputs.Count: > 0 };
            var outputs = new List<InferenceTensor>(request.OutputNames.Count);
            foreach (var name in request.OutputNames)
            {
                if (!result.Value.TryGetValue(name, out var tensor))
                {
                    if (explicitOutputs)
                    {
                        return InferenceError.InvalidArgument($"graph '{_graph.Name}' did not produce output '{name}' on this route (it produced: {string.Join(", ", result.Value.Keys)})");
                    }

                    continue;
                }

                outputs.Add(run.Origins.TryGetValue(tensor, out var shared)
                    ? new InferenceTensor(name, tensor.DataType, tensor.Shape, tensor.Data, shared?.Hold())
                    : new InferenceTensor(name, tensor.DataType, tensor.Shape, tensor.Data.ToArray()));
            }

            if (outputs.Count == 0)
            {
                return InferenceError.InvalidArgument($"graph '{_graph.Name}' produced none of its declared outputs on this route (it produced: {string.Join(", ", result.Value.Keys)})");
            }

            var times = run.Times;
            return Result<ScheduledExecution>.Ok(new ScheduledExecution(new ExecutionResult(outputs, times.InputNs, times.InferNs, times.OutputNs), times.QueueNs));
        }
        finally
        {
            foreach (var shared in run.Responses)
            {
                shared.Release();
            }
        }
    }

    private async Task<Result<Dictionary<string, InferenceTensor>>> RunNodeAsync(RoutingNode node, Dictionary<string, InferenceTensor> input, Run run)
    {
        switch (node.Type)
        {
            case RouterType.Sequence:
                return await SequenceAsync(node, input, run).ConfigureAwait(false);
            case RouterType.Switch:
                foreach (var step in node.Steps)
                {
                    var holds = step.Condition!.Evaluate(input, run.Parameters);
                    if (!holds.IsOk)
                    {
                        return Wrap(node, step, holds.Error);
                    }

                    if (holds.Value)
                    {
                        return await RunStepAsync(node, step, input, run).ConfigureAwait(false);
                    }
                }

                return InferenceError.InvalidArgument(
                    $"in graph '{_graph.Name}', node '{node.Name}': no Switch condition holds ({string.Join("; ", node.Steps.Select(s => $"'{s.Name}': {s.Condition}"))})");
            case RouterType.Splitter:
                int pick;
                lock (_random)
                {
                    pick = _random.Next(100);
                }

                foreach (var step in node.Steps)
                {
                    pick -= (int)step.Weight;
                    if (pick < 0)
                    {
                        return await RunStepAsync(node, step, input, run).ConfigureAwait(false);
                    }
                }

                return InferenceError.Internal($"in graph '{_graph.Name}', node '{node.Name}': Splitter weights do not sum to 100");
            default:
                return await EnsembleAsync(node, input, run).ConfigureAwait(false);
        }
    }

    private async Task<Result<Dictionary<string, InferenceTensor>>> SequenceAsync(RoutingNode node, Dictionary<string, InferenceTensor> input, Run run)
    {
        Dictionary<string, InferenceTensor>? last = null;
        InferenceError? softFailure = null;
        foreach (var step in node.Steps)
        {
            var stepInput = step.Data switch
            {
                StepData.Request => input,
                StepData.Response => last ?? input,
                _ => Merge(input, last),
            };
            if (step.Condition is { } condition)
            {
                var holds = condition.Evaluate(stepInput, run.Parameters);
                if (!holds.IsOk)
                {
                    return Wrap(node, step, holds.Error);
                }

                if (!holds.Value)
                {
                    continue;
                }
            }

            var result = await RunStepAsync(node, step, stepInput, run).ConfigureAwait(false);
            if (!result.IsOk)
            {
                if (step.Hard)
                {
                    return result.Error;
                }

                softFailure = result.Error;
                continue;
            }

            last = result.Value;
        }

        return last is not null ? Result<Dictionary<string, InferenceTensor>>.Ok(last)
            : softFailure ?? InferenceError.InvalidArgument($"in graph '{_graph.Name}', node '{node.Name}': no step ran (every step's condition was false)");
    }

    private async Task<Result<Dictionary<string, InferenceTensor>>> EnsembleAsync(RoutingNode node, Dictionary<string, InferenceTensor> input, Run run)
    {
        var tasks = node.Steps.Select(async step =>
        {
            await Task.Yield();
            return await RunStepAsync(node, step, input, run).ConfigureAwait(false);
        }).ToList();
        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        var succeeded = new List<(RoutingStep Step, Dictionary<string, InferenceTensor> Payload)>();
        InferenceError? firstFailure = null;
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].IsOk)
            {
                succeeded.Add((node.Steps[i], results[i].Value!));
            }
            else if (node.Steps[i].Hard)
            {
                return results[i].Error!;
            }
            else
            {
                firstFailure ??= results[i].Error;
            }
        }

        if (succeeded.Count == 0)
        {
            return firstFailure!;
        }

        var combined = new Dictionary<string, InferenceTensor>(StringComparer.Ordinal);
        if (node.Combiner is null)
        {
            foreach (var (step, payload) in succeeded)
            {
                foreach (var (name, tensor) in payload)
                {
                    var view = new InferenceTensor($"{step.Name}.{name}", tensor.DataType, tensor.Shape, tensor.Data);
                    run.Origins[view] = run.Origins.GetValueOrDefault(tensor);
                    combined[view.Name] = view;
                }
            }

            return Result<Dictionary<string, InferenceTensor>>.Ok(combined);
        }

        foreach (var name in succeeded[0].Payload.Keys)
        {
            if (succeeded.Any(s => !s.Payload.ContainsKey(name)))
            {
                continue;
            }

            var merged = GraphCombiners.Combine(node.Combiner, name, [.. succeeded.Select(s => s.Payload[name])], [.. succeeded.Select(s => s.Step.Weight)], node.Axis);
            if (!merged.IsOk)
            {
                return new InferenceError(merged.Error.Code, $"in graph '{_graph.Name}', node '{node.Name}': {merged.Error.Message}");
            }

            run.Origins[merged.Value] = null;
            combined[name] = merged.Value;
        }

        return Result<Dictionary<string, InferenceTensor>>.Ok(combined);
    }

    private async Task<Result<Dictionary<string, InferenceTensor>>> RunStepAsync(RoutingNode node, RoutingStep step, Dictionary<string, InferenceTensor> input, Run run)
    {
        if (step.Node is { } child)
        {
            return await RunNodeAsync(_graph.Nodes[child], input, run).ConfigureAwait(false);
        }

        if (await _runner.EnsureModelLoadedAsync(step.Model!, null, run.Cancellation).ConfigureAwait(false) is { } notLoaded)
        {
            return Wrap(node, step, notLoaded);
        }

        var config = _runner.GetModelConfig(step.Model!, null);
        if (!config.IsOk)
        {
            return Wrap(node, step, config.Error);
        }

        using var request = new InferenceRequest(step.Model!)
        {
            Id = run.Origin?.Id ?? "",
            Parameters = run.Parameters,
            TraceParent = run.Origin?.Activity?.Context ?? run.Origin?.TraceParent ?? default,
        };
        foreach (var spec in config.Value.Inputs)
        {
            if (input.TryGetValue(step.InputMap.GetValueOrDefault(spec.Name, spec.Name), out var tensor))
            {
                request.Inputs.Add(new InferenceTensor(spec.Name, tensor.DataType, tensor.Shape, tensor.Data));
            }
        }

        var result = await _runner.RunStepAsync(request, run.Times, run.Cancellation).ConfigureAwait(false);
        if (!result.IsOk)
        {
            return Wrap(node, step, result.Error);
        }

        var shared = new SharedResponse(result.Value);
        run.Responses.Add(shared);
        var payload = new Dictionary<string, InferenceTensor>(StringComparer.Ordinal);
        foreach (var output in result.Value.Outputs)
        {
            payload[output.Name] = output;
            run.Origins[output] = shared;
        }

        return Result<Dictionary<string, InferenceTensor>>.Ok(payload);
    }

    private static Dictionary<string, InferenceTensor> Merge(Dictionary<string, InferenceTensor> request, Dictionary<string, InferenceTensor>? response)
    {
        var merged = new Dictionary<string, InferenceTensor>(request, StringComparer.Ordinal);
        foreach (var (name, tensor) in response ?? [])
        {
            merged[name] = tensor;
        }

        return merged;
    }

    private InferenceError Wrap(RoutingNode node, RoutingStep step, InferenceError error) =>
        new(error.Code, $"in graph '{_graph.Name}', node '{node.Name}' step '{step.Name}'{(step.Model is { } m ? $" (model '{m}')" : "")}: {error.Message}");

    public void Dispose()
    {
    }

    /// <summary>The state of one graph request: where its tensors' bytes live, the step responses to release, the summed step times.</summary>
    private sealed class Run(InferenceRequest? origin, CancellationToken cancellation)
    {
        public InferenceRequest? Origin { get; } = origin;

        public Dictionary<string, InferParameter>? Parameters => Origin?.Parameters;

        public CancellationToken Cancellation { get; } = cancellation;

        public StepTimes Times { get; } = new();

        public ConcurrentBag<SharedResponse> Responses { get; } = [];

        /// <summary>Per tensor the response whose buffers it views; null for a tensor that owns its bytes (a combiner's).</summary>
        public ConcurrentDictionary<InferenceTensor, SharedResponse?> Origins { get; } = new(ReferenceEqualityComparer.Instance);
    }
}
