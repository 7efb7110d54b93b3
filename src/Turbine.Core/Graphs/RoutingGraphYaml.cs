namespace Turbine.Core.Graphs;

/// <summary>
/// <c>graph.yaml</c> as written: KServe's InferenceGraph <c>spec</c> (its <c>nodes</c> at the top, or a whole
/// InferenceGraph object with <c>apiVersion</c>, <c>kind</c>, <c>metadata</c> and <c>spec.nodes</c>), plus Turbine's
/// <c>combiner</c> on Ensemble nodes. Unknown fields are load errors.
/// </summary>
internal sealed class RoutingGraphYaml
{
    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public Dictionary<string, object>? Metadata { get; set; }

    public RoutingGraphSpecYaml? Spec { get; set; }

    public Dictionary<string, RoutingNodeYaml>? Nodes { get; set; }
}

/// <summary>KServe's <c>InferenceGraphSpec</c>, the part Turbine reads.</summary>
internal sealed class RoutingGraphSpecYaml
{
    public Dictionary<string, RoutingNodeYaml>? Nodes { get; set; }
}

/// <summary>KServe's <c>InferenceRouter</c> plus Turbine's combiner.</summary>
internal sealed class RoutingNodeYaml
{
    public string? RouterType { get; set; }

    public List<RoutingStepYaml>? Steps { get; set; }

    /// <summary>Ensemble nodes: <c>mean</c>, <c>weighted_mean</c>, <c>majority_vote</c>, <c>concatenate</c>; none = every step's outputs, named <c>STEP.OUTPUT</c>.</summary>
    public string? Combiner { get; set; }

    /// <summary>The axis <c>concatenate</c> joins along; default the last.</summary>
    public int? Axis { get; set; }
}

/// <summary>KServe's <c>InferenceStep</c>.</summary>
internal sealed class RoutingStepYaml
{
    public string? Name { get; set; }

    public string? ServiceName { get; set; }

    public string? NodeName { get; set; }

    public string? ServiceUrl { get; set; }

    public string? Condition { get; set; }

    public string? Data { get; set; }

    public string? Dependency { get; set; }

    public long? Weight { get; set; }

    public bool? MapPredictionsToInstances { get; set; }

    /// <summary>Turbine: model input name → payload tensor name, for a model whose input names differ from the payload's (Triton's input_map).</summary>
    public Dictionary<string, string>? InputMap { get; set; }
}
