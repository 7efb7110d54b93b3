using System.Collections.Frozen;
using System.Collections.Immutable;
using Turbine.Core.Config;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Turbine.Core.Graphs;

/// <summary>Which KServe router a node is.</summary>
internal enum RouterType
{
    Sequence,
    Switch,
    Splitter,
    Ensemble,
}

/// <summary>What a step receives: the node's input (<c>$request</c>), the previous step's outputs (<c>$response</c>), or both (<c>$request+$response</c>, outputs win on a name both have).</summary>
internal enum StepData
{
    Request,
    Response,
    RequestAndResponse,
}

/// <summary>One step of a routing node: a model (<c>serviceName</c>) or another node (<c>nodeName</c>).</summary>
internal sealed record RoutingStep(string Name, string? Model, string? Node, GraphCondition? Condition, StepData Data, bool Hard, long Weight,
    ImmutableDictionary<string, string> InputMap);

/// <summary>One routing node.</summary>
internal sealed record RoutingNode(string Name, RouterType Type, ImmutableArray<RoutingStep> Steps, string? Combiner, int? Axis);

/// <summary>
/// A routing graph (KServe InferenceGraph semantics, in process): the nodes of <c>graph.yaml</c> beside a model's
/// <c>config.pbtxt</c> (<c>platform: "turbine_graph"</c>), checked at load: a <c>root</c> node, one target per step,
/// known node references without cycles, Switch conditions that parse, Splitter weights that sum to 100, a known
/// combiner.
/// </summary>
internal sealed class RoutingGraph
{
    /// <summary>The <c>platform</c> of a routing graph.</summary>
    public const string Platform = "turbine_graph";

    /// <summary>The graph's file, beside <c>config.pbtxt</c>.</summary>
    public const string FileName = "graph.yaml";

    /// <summary>The entry node, as in KServe.</summary>
    public const string Root = "root";

    /// <summary>Combiners an Ensemble node may name.</summary>
    public static readonly FrozenSet<string> Combiners = FrozenSet.ToFrozenSet(["mean", "weighted_mean", "majority_vote", "concatenate"], StringComparer.Ordinal);

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    private RoutingGraph(string name, FrozenDictionary<string, RoutingNode> nodes)
    {
        Name = name;
        Nodes = nodes;
    }

    /// <summary>The graph's model name.</summary>
    public string Name { get; }

    public FrozenDictionary<string, RoutingNode> Nodes { get; }

    /// <summary>Every model a step names, each once.</summary>
    public IReadOnlyList<string> Models => [.. Nodes.Values.SelectMany(n => n.Steps).Select(s => s.Model).OfType<string>().Distinct()];

    /// <summary>Parses and checks <paramref name="yaml"/>; throws <see cref="InferenceException"/> naming the file, node, step and problem.</summary>
    public static RoutingGraph Parse(string name, string yaml, string source)
    {
        RoutingGraphYaml? document;
        try
        {
            document = Deserializer.Deserialize<RoutingGraphYaml>(yaml);
        }
        catch (YamlException e)
        {
            var inner = e.InnerException is { } i && i is not YamlException ? $": {i.Message}" : "";
            throw Fail(source, [$"line {e.Start.Line}, column {e.Start.Column}: {e.Message}{inner}"]);
        }

        var problems = new List<string>();
        var nodesYaml = document?.Nodes ?? document?.Spec?.Nodes;
        if (document?.Nodes is not null && document.Spec is not null)
        {
            problems.Add("give the nodes either at the top or under 'spec', not both");
        }

        if (nodesYaml is null || nodesYaml.Count == 0)
        {
            throw Fail(source, ["the graph has no nodes (expected 'nodes:' or an InferenceGraph with 'spec.nodes')"]);
        }

        if (!nodesYaml.ContainsKey(Root))
        {
            problems.Add($"there is no node named '{Root}' (the graph's entry node); nodes: {string.Join(", ", nodesYaml.Keys)}");
        }

        var nodes = new Dictionary<string, RoutingNode>(StringComparer.Ordinal);
        foreach (var (nodeName, node) in nodesYaml)
        {
            if (ParseNode(nodeName, node, nodesYaml, problems) is { } parsed)
            {
                nodes[nodeName] = parsed;
            }
        }

        if (problems.Count == 0 && FindCycle(nodes) is { } cycle)
        {
            problems.Add($"nodes refer to each other in a cycle: {string.Join(" -> ", cycle)}");
        }

        if (problems.Count > 0)
        {
            throw Fail(source, problems);
        }

        return new RoutingGraph(name, nodes.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Checks the graph's config: platform, declared inputs and outputs, no field that belongs to a backend model.</summary>
    public static void CheckConfig(ModelConfig config, string source)
    {
        if (config.Inputs.IsEmpty || config.Outputs.IsEmpty)
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{source}: graph '{config.Name}' must declare its {(config.Inputs.IsEmpty ? "inputs" : "outputs")} (nothing can be derived from a model file)");
        }

        if (config.Backend.Length > 0 || !config.InstanceGroups.IsEmpty || config.DefaultModelFilename.Length > 0 || !config.ModelWarmup.IsEmpty ||
            config.DynamicBatching is not null || config.SequenceBatching is not null || config.EnsembleScheduling is not null)
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{source}: a \"{Platform}\" model runs other models; backend, instance_group, default_model_filename, model_warmup, dynamic_batching, sequence_batching and ensemble_scheduling cannot be set on it");
        }
    }

    private static RoutingNode? ParseNode(string nodeName, RoutingNodeYaml node, Dictionary<string, RoutingNodeYaml> all, List<string> problems)
    {
        var where = $"node '{nodeName}'";
        if (!Enum.TryParse<RouterType>(node.RouterType, ignoreCase: false, out var type) || !Enum.IsDefined(type) || char.IsDigit(node.RouterType![0]))
        {
            problems.Add($"{where}: routerType must be Sequence, Switch, Splitter or Ensemble, got '{node.RouterType}'");
            return null;
        }

        var stepsYaml = node.Steps ?? [];
        if (stepsYaml.Count == 0)
        {
            problems.Add($"{where}: a {type} node needs at least one step");
        }

        if (node.Combiner is not null && (type != RouterType.Ensemble || !Combiners.Contains(node.Combiner)))
        {
            problems.Add(type != RouterType.Ensemble
                ? $"{where}: combiner is only for Ensemble nodes"
                : $"{where}: combiner must be one of {string.Join(", ", Combiners.Order(StringComparer.Ordinal))}, got '{node.Combiner}'");
        }

        if (node.Axis is not null && node.Combiner != "concatenate")
        {
            problems.Add($"{where}: axis is only for the concatenate combiner");
        }

        var steps = ImmutableArray.CreateBuilder<RoutingStep>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < stepsYaml.Count; i++)
        {
            var step = stepsYaml[i];
            var stepName = step.Name ?? step.ServiceName ?? step.NodeName ?? $"step{i}";
            var at = $"{where} step {i} ('{stepName}')";
            if (!names.Add(stepName))
            {
                problems.Add($"{at}: step names must be unique within a node");
            }

            var targets = new[] { step.ServiceName, step.NodeName, step.ServiceUrl }.Count(t => !string.IsNullOrEmpty(t));
            if (targets != 1)
            {
                problems.Add($"{at}: exactly one of serviceName (a model) and nodeName (a node) must be set, got {targets}");
            }
            else if (!string.IsNullOrEmpty(step.ServiceUrl))
            {
                problems.Add($"{at}: serviceUrl is not supported (steps run in process: name a model with serviceName)");
            }
            else if (step.NodeName is { Length: > 0 } target && !all.ContainsKey(target))
            {
                problems.Add($"{at}: nodeName '{target}' is not a node of the graph");
            }

            if (step.MapPredictionsToInstances is true)
            {
                problems.Add($"{at}: mapPredictionsToInstances is a KServe v1 protocol option; graphs here speak the v2 protocol");
            }

            GraphCondition? condition = null;
            if (step.Condition is { } text)
            {
                condition = GraphCondition.TryParse(text, out var error);
                if (condition is null)
                {
                    problems.Add($"{at}: {error}");
                }
                else if (type is RouterType.Splitter or RouterType.Ensemble)
                {
                    problems.Add($"{at}: condition is for Sequence and Switch steps");
                }
            }
            else if (type == RouterType.Switch)
            {
                problems.Add($"{at}: every Switch step needs a condition (use \"true\" for a default branch)");
            }

            var data = step.Data switch
            {
                null or "$request" => StepData.Request,
                "$response" => StepData.Response,
                "$request+$response" => StepData.RequestAndResponse,
                _ => (StepData)(-1),
            };
            if ((int)data < 0)
            {
                problems.Add($"{at}: data must be $request, $response or $request+$response, got '{step.Data}'");
            }

            var hard = step.Dependency switch
            {
                null or "Soft" => false,
                "Hard" => true,
                _ => (bool?)null,
            };
            if (hard is null)
            {
                problems.Add($"{at}: dependency must be Hard or Soft, got '{step.Dependency}'");
            }

            var weight = step.Weight ?? 0;
            if (type == RouterType.Splitter && (weight < 1 || weight > 100))
            {
                problems.Add($"{at}: a Splitter step needs a weight from 1 to 100, got {weight}");
            }
            else if (step.Weight is not null && type != RouterType.Splitter && node.Combiner != "weighted_mean")
            {
                problems.Add($"{at}: weight is for Splitter steps and weighted_mean Ensemble steps");
            }
            else if (node.Combiner == "weighted_mean" && weight <= 0)
            {
                problems.Add($"{at}: a weighted_mean step needs a positive weight, got {weight}");
            }

            if (step.InputMap is { Count: > 0 } && string.IsNullOrEmpty(step.ServiceName))
            {
                problems.Add($"{at}: inputMap renames a model's inputs; it needs serviceName");
            }

            steps.Add(new RoutingStep(stepName, NullIfEmpty(step.ServiceName), NullIfEmpty(step.NodeName), condition, data, hard ?? false, weight,
                (step.InputMap ?? []).ToImmutableDictionary(StringComparer.Ordinal)));
        }

        if (type == RouterType.Splitter && stepsYaml.Count > 0 && stepsYaml.Sum(s => s.Weight ?? 0) != 100)
        {
            problems.Add($"{where}: Splitter weights must sum to 100, got {stepsYaml.Sum(s => s.Weight ?? 0)}");
        }

        return new RoutingNode(nodeName, type, steps.ToImmutable(), node.Combiner, node.Axis);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static List<string>? FindCycle(Dictionary<string, RoutingNode> nodes)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in nodes[node].Steps.Select(s => s.Node).OfType<string>())
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.Skip(path.IndexOf(next)), next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        foreach (var node in nodes.Keys.Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static InferenceException Fail(string source, List<string> problems) =>
        new(StatusCode.InvalidArgument, string.Join("; ", problems.Select(p => $"{source}: {p}")));
}
