using System.Collections.Frozen;
using System.Collections.Immutable;
using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Core.Graphs;

/// <summary>
/// An ensemble's steps compiled into a data-flow graph: every ensemble tensor gets an index, each step knows
/// which tensors it reads and writes, and each tensor which steps wait for it. Built once per load; the
/// structure is checked here (missing tensors, a tensor written twice, cycles) with messages that name the
/// step and the tensor, so a bad ensemble never loads.
/// </summary>
internal sealed class EnsembleGraph
{
    /// <summary>The <c>platform</c> of a Triton ensemble.</summary>
    public const string Platform = "ensemble";

    private EnsembleGraph(string name, ImmutableArray<EnsembleStep> steps, string[] tensorNames,
        StepBinding[] bindings, int[][] consumers, int[] producers, int[] inputIds)
    {
        Name = name;
        TensorNames = tensorNames;
        TensorIds = tensorNames.Select((n, i) => KeyValuePair.Create(n, i)).ToFrozenDictionary(StringComparer.Ordinal);
        Steps = steps;
        Bindings = bindings;
        Consumers = consumers;
        Producers = producers;
        InputIds = inputIds;
    }

    public string Name { get; }

    public ImmutableArray<EnsembleStep> Steps { get; }

    /// <summary>Index → ensemble tensor name.</summary>
    public string[] TensorNames { get; }

    /// <summary>Ensemble tensor name → index.</summary>
    public FrozenDictionary<string, int> TensorIds { get; }

    /// <summary>Per step: (composing input name, tensor index) and (composing output name, tensor index).</summary>
    public StepBinding[] Bindings { get; }

    /// <summary>Per tensor: the steps that read it.</summary>
    public int[][] Consumers { get; }

    /// <summary>Per tensor: the step that writes it, or -1 for an ensemble input.</summary>
    public int[] Producers { get; }

    /// <summary>Tensor index of each ensemble input, in config order.</summary>
    public int[] InputIds { get; }

    /// <summary>How a step is named in messages: <c>step 2 (model 'b')</c>.</summary>
    public string Describe(int step) => $"step {step} (model '{Steps[step].ModelName}')";

    /// <summary>Compiles and checks the structure of an ensemble config; throws <see cref="InferenceException"/> naming the problem.</summary>
    public static EnsembleGraph Compile(ModelConfig config, string source)
    {
        var problems = new List<string>();
        if (config.Platform != Platform)
        {
            problems.Add($"ensemble_scheduling is set, so platform must be \"{Platform}\", got \"{config.Platform}\"");
        }

        var scheduling = config.EnsembleScheduling;
        if (scheduling is null || scheduling.Steps.IsEmpty)
        {
            problems.Add(scheduling is null
                ? $"platform \"{Platform}\" needs ensemble_scheduling with at least one step"
                : "ensemble_scheduling must have at least one step");
            throw Fail(source, problems);
        }

        if (scheduling.MaxInflightRequests > int.MaxValue)
        {
            problems.Add($"ensemble_scheduling.max_inflight_requests must be <= {int.MaxValue}, got {scheduling.MaxInflightRequests}");
        }

        if (config.Backend.Length > 0 || !config.InstanceGroups.IsEmpty || config.DefaultModelFilename.Length > 0 || !config.ModelWarmup.IsEmpty || config.Optimization is not null)
        {
            var field = config.Backend.Length > 0 ? "backend" : !config.InstanceGroups.IsEmpty ? "instance_group"
                : config.DefaultModelFilename.Length > 0 ? "default_model_filename" : !config.ModelWarmup.IsEmpty ? "model_warmup" : "optimization";
            problems.Add($"field '{field}' cannot be set on an ensemble (its composing models run on their own instances)");
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var producers = new List<int>();
        int Id(string tensor)
        {
            if (!ids.TryGetValue(tensor, out var id))
            {
                id = ids.Count;
                ids[tensor] = id;
                producers.Add(int.MinValue);
            }

            return id;
        }

        var inputIds = new int[config.Inputs.Length];
        for (var i = 0; i < config.Inputs.Length; i++)
        {
            inputIds[i] = Id(config.Inputs[i].Name);
            producers[inputIds[i]] = -1;
        }

        var steps = scheduling.Steps;
        var bindings = new StepBinding[steps.Length];
        for (var s = 0; s < steps.Length; s++)
        {
            var step = steps[s];
            var where = $"ensemble_scheduling.step[{s}] (model '{step.ModelName}')";
            if (step.ModelName.Length == 0)
            {
                problems.Add($"ensemble_scheduling.step[{s}]: field 'model_name' must be non-empty");
            }
            else if (step.ModelName == config.Name)
            {
                problems.Add($"{where}: an ensemble cannot include itself");
            }

            if (step.ModelVersion < -1)
            {
                problems.Add($"{where}: model_version must be -1 (latest) or a version number, got {step.ModelVersion}");
            }

            if (step.InputMap.IsEmpty)
            {
                problems.Add($"{where}: input_map must map at least one input");
            }

            var reads = step.InputMap.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, Id(p.Value))).ToArray();
            var writes = new List<(string, int)>();
            foreach (var (output, tensor) in step.OutputMap.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var id = Id(tensor);
                var previous = producers[id];
                if (previous == -1)
                {
                    problems.Add($"{where}: output '{output}' writes ensemble tensor '{tensor}', which is an ensemble input");
                }
                else if (previous >= 0)
                {
                    problems.Add($"{where}: output '{output}' writes ensemble tensor '{tensor}', already written by step {previous} (model '{steps[previous].ModelName}')");
                }
                else
                {
                    producers[id] = s;
                }

                writes.Add((output, id));
            }

            bindings[s] = new StepBinding(reads, [.. writes]);
        }

        var names = ids.OrderBy(kv => kv.Value).Select(kv => kv.Key).ToArray();
        for (var s = 0; s < steps.Length; s++)
        {
            foreach (var (input, id) in bindings[s].Reads)
            {
                if (producers[id] == int.MinValue)
                {
                    problems.Add($"ensemble_scheduling.step[{s}] (model '{steps[s].ModelName}'): input '{input}' reads ensemble tensor '{names[id]}', which is neither an ensemble input nor an output of any step");
                }
            }
        }

        foreach (var output in config.Outputs)
        {
            if (!ids.TryGetValue(output.Name, out var id) || producers[id] == int.MinValue)
            {
                problems.Add($"ensemble output '{output.Name}' is not written by any step's output_map");
            }
            else if (producers[id] == -1)
            {
                problems.Add($"ensemble output '{output.Name}' is an ensemble input; an output must be written by a step");
            }
        }

        if (problems.Count > 0)
        {
            throw Fail(source, problems);
        }

        var consumers = new List<int>[ids.Count];
        for (var t = 0; t < consumers.Length; t++)
        {
            consumers[t] = [];
        }

        for (var s = 0; s < steps.Length; s++)
        {
            foreach (var id in bindings[s].Reads.Select(r => r.TensorId).Distinct())
            {
                consumers[id].Add(s);
            }
        }

        var graph = new EnsembleGraph(config.Name, steps, names, bindings,
            [.. consumers.Select(c => c.ToArray())], [.. producers], inputIds);
        if (graph.FindCycle() is { } cycle)
        {
            throw Fail(source, [$"ensemble_scheduling has a cycle: {string.Join(" -> ", cycle.Select(s => graph.Describe(s)))}"]);
        }

        return graph;
    }

    /// <summary>
    /// Checks each step against its composing model's config (the version the step names): every mapped name exists,
    /// every required input is mapped, and the ensemble tensors agree on data type and shape. Empty = consistent.
    /// </summary>
    public IReadOnlyList<string> CheckAgainst(ModelConfig ensemble, Func<string, long, Result<ModelConfig>> composing)
    {
        var problems = new List<string>();
        var types = new Dictionary<int, (TensorDataType Type, long[] Shape, string Origin)>();
        foreach (var input in ensemble.Inputs)
        {
            types[TensorIds[input.Name]] = (input.DataType, FullShape(ensemble.MaxBatchSize, input.Dims), $"ensemble input '{input.Name}'");
        }

        var configs = new ModelConfig?[Steps.Length];
        for (var s = 0; s < Steps.Length; s++)
        {
            var found = composing(Steps[s].ModelName, Steps[s].ModelVersion);
            if (!found.IsOk)
            {
                problems.Add($"{Describe(s)}: {found.Error.Message}");
                continue;
            }

            var model = configs[s] = found.Value;
            foreach (var (name, id) in Bindings[s].Writes)
            {
                var output = model.Outputs.FirstOrDefault(o => o.Name == name);
                if (output is null)
                {
                    problems.Add($"{Describe(s)}: output_map names output '{name}', which the model does not have (its outputs: {string.Join(", ", model.Outputs.Select(o => o.Name))})");
                    continue;
                }

                types[id] = (output.DataType, FullShape(model.MaxBatchSize, output.Reshape ?? output.Dims), $"output '{name}' of {Describe(s)}");
            }
        }

        for (var s = 0; s < Steps.Length; s++)
        {
            if (configs[s] is not { } model)
            {
                continue;
            }

            foreach (var (name, id) in Bindings[s].Reads)
            {
                var input = model.Inputs.FirstOrDefault(i => i.Name == name);
                if (input is null)
                {
                    problems.Add($"{Describe(s)}: input_map names input '{name}', which the model does not have (its inputs: {string.Join(", ", model.Inputs.Select(i => i.Name))})");
                }
                else if (types.TryGetValue(id, out var known))
                {
                    var shape = FullShape(model.MaxBatchSize, input.Reshape ?? input.Dims);
                    if (known.Type != input.DataType)
                    {
                        problems.Add($"{Describe(s)}: input '{name}' is {input.DataType.ToConfigName()} but ensemble tensor '{TensorNames[id]}' ({known.Origin}) is {known.Type.ToConfigName()}");
                    }
                    else if (!Compatible(known.Shape, shape))
                    {
                        problems.Add($"{Describe(s)}: input '{name}' has shape {TensorShape.Format(shape)} but ensemble tensor '{TensorNames[id]}' ({known.Origin}) has shape {TensorShape.Format(known.Shape)}");
                    }
                }
            }

            foreach (var input in model.Inputs)
            {
                if (!input.Optional && !Steps[s].InputMap.ContainsKey(input.Name))
                {
                    problems.Add($"{Describe(s)}: the model's input '{input.Name}' is not mapped in input_map");
                }
            }
        }

        foreach (var output in ensemble.Outputs)
        {
            if (types.TryGetValue(TensorIds[output.Name], out var known) && known.Type != output.DataType)
            {
                problems.Add($"ensemble output '{output.Name}' is {output.DataType.ToConfigName()} but {known.Origin} is {known.Type.ToConfigName()}");
            }
        }

        return problems;
    }

    private static long[] FullShape(int maxBatchSize, IEnumerable<long> dims) => maxBatchSize > 0 ? [-1, .. dims] : [.. dims];

    private static bool Compatible(long[] a, long[] b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i] && a[i] != -1 && b[i] != -1)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A cycle of steps (first step repeated at the end), or null. Depth-first search over step → consumer steps.</summary>
    private List<int>? FindCycle()
    {
        var state = new int[Steps.Length]; // 0 unvisited, 1 on the path, 2 done
        var path = new List<int>();
        List<int>? Visit(int s)
        {
            state[s] = 1;
            path.Add(s);
            foreach (var (_, id) in Bindings[s].Writes)
            {
                foreach (var next in Consumers[id])
                {
                    if (state[next] == 1)
                    {
                        return [.. path.Skip(path.IndexOf(next)), next];
                    }

                    if (state[next] == 0 && Visit(next) is { } found)
                    {
                        return found;
                    }
                }
            }

            path.RemoveAt(path.Count - 1);
            state[s] = 2;
            return null;
        }

        for (var s = 0; s < Steps.Length; s++)
        {
            if (state[s] == 0 && Visit(s) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static InferenceException Fail(string source, List<string> problems) =>
        new(StatusCode.InvalidArgument, string.Join("; ", problems.Select(p => $"{source}: {p}")));
}
