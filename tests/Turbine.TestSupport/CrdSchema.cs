using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Turbine.TestSupport;

/// <summary>
/// A CustomResourceDefinition's <c>openAPIV3Schema</c> as a JSON schema for JsonSchema.Net; KServe's CRDs are test assets
/// under Schemas/kserve (Apache-2.0, see SOURCE.md there). OpenAPI v3 extensions (<c>x-kubernetes-*</c>, <c>nullable</c>)
/// are unknown keywords to a JSON-schema validator and are ignored; <c>format</c> (int32, int64, int-or-string) is an
/// annotation only, since format assertion stays off; the CRDs write each int-or-string as an <c>anyOf</c> of integer and
/// string, which the validator checks as such, so no special handling is needed.
/// </summary>
public sealed partial class CrdSchema
{
    public static readonly string KServeFolder = Path.Combine(AppContext.BaseDirectory, "Schemas", "kserve");

    private static readonly Lazy<CrdSchema> InferenceServiceSchema = new(() => Load("serving.kserve.io_inferenceservices.yaml", "v1beta1"));
    private static readonly Lazy<CrdSchema> ServingRuntimeSchema = new(() => Load("serving.kserve.io_servingruntimes.yaml", "v1alpha1"));
    private static readonly Lazy<CrdSchema> ClusterServingRuntimeSchema = new(() => Load("serving.kserve.io_clusterservingruntimes.yaml", "v1alpha1"));

    private readonly Lazy<JsonSchema> _schema;
    private readonly Lazy<JsonSchema> _strict;

    private CrdSchema(JsonObject node)
    {
        Node = node;
        _schema = new(() => JsonSchema.FromText(Node.ToJsonString()));
        _strict = new(() => JsonSchema.FromText(Strict(Node.DeepClone()).ToJsonString()));
    }

    /// <summary>KServe's <c>InferenceService</c>, v1beta1.</summary>
    public static CrdSchema InferenceService => InferenceServiceSchema.Value;

    /// <summary>KServe's namespaced <c>ServingRuntime</c>, v1alpha1.</summary>
    public static CrdSchema ServingRuntime => ServingRuntimeSchema.Value;

    /// <summary>KServe's <c>ClusterServingRuntime</c>, v1alpha1.</summary>
    public static CrdSchema ClusterServingRuntime => ClusterServingRuntimeSchema.Value;

    /// <summary>The openAPIV3Schema as JSON.</summary>
    public JsonObject Node { get; }

    public JsonSchema Schema => _schema.Value;

    /// <summary>
    /// The same schema with <c>additionalProperties: false</c> on every object that lists its properties and does not
    /// preserve unknown fields: what <c>kubectl apply --validate=strict</c> (the default) refuses instead of pruning.
    /// </summary>
    public JsonSchema StrictSchema => _strict.Value;

    /// <summary>The KServe CRD for an object's kind (InferenceService, ServingRuntime, ClusterServingRuntime).</summary>
    /// <param name="kind">The object's <c>kind</c>.</param>
    public static CrdSchema ForKServeKind(string kind) => kind switch
    {
        "InferenceService" => InferenceService,
        "ServingRuntime" => ServingRuntime,
        "ClusterServingRuntime" => ClusterServingRuntime,
        _ => throw new ArgumentException($"no KServe CRD for kind '{kind}'", nameof(kind)),
    };

    public static EvaluationResults Validate(JsonSchema schema, string manifestYaml) => Validate(schema, YamlToJson(manifestYaml));

    public static EvaluationResults Validate(JsonSchema schema, JsonNode? manifest) =>
        schema.Evaluate(manifest, new EvaluationOptions { OutputFormat = OutputFormat.List });

    public static string Describe(EvaluationResults results) => string.Join("\n",
        (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));

    /// <summary>The first document of <paramref name="yaml"/> as JSON.</summary>
    /// <param name="yaml">YAML text.</param>
    public static JsonNode? YamlToJson(string yaml) => YamlDocumentsToJson(yaml).FirstOrDefault();

    /// <summary>Every non-empty document of a YAML stream as JSON (comments and empty documents dropped).</summary>
    /// <param name="yaml">YAML text with one or more documents.</param>
    public static IReadOnlyList<JsonNode?> YamlDocumentsToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Where(d => d.RootNode is not YamlScalarNode { Value: null or "" }).Select(d => ToJson(d.RootNode))];
    }

    private static CrdSchema Load(string file, string version)
    {
        var crd = YamlToJson(File.ReadAllText(Path.Combine(KServeFolder, file)))!;
        var entry = crd["spec"]!["versions"]!.AsArray().Single(v => (string?)v!["name"] == version)!;
        return new CrdSchema(entry["schema"]!["openAPIV3Schema"]!.AsObject());
    }

    /// <summary>YAML to JSON with Kubernetes' (YAML 1.1-ish) plain-scalar typing: true/false, integers, floats, null.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: not ScalarStyle.Plain } s => JsonValue.Create(s.Value),
        YamlScalarNode { Value: null or "" or "~" or "null" } => null,
        YamlScalarNode { Value: "true" or "True" } => JsonValue.Create(true),
        YamlScalarNode { Value: "false" or "False" } => JsonValue.Create(false),
        YamlScalarNode s when IntegerPattern().IsMatch(s.Value!) => JsonValue.Create(long.Parse(s.Value!, CultureInfo.InvariantCulture)),
        YamlScalarNode s when FloatPattern().IsMatch(s.Value!) => JsonValue.Create(double.Parse(s.Value!, CultureInfo.InvariantCulture)),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => throw new InvalidOperationException("unexpected YAML node " + node.NodeType),
    };

    private static JsonNode Strict(JsonNode schema)
    {
        if (schema is not JsonObject obj)
        {
            return schema;
        }

        if (obj["properties"] is JsonObject properties)
        {
            foreach (var (_, property) in properties)
            {
                Strict(property!);
            }

            if (!obj.ContainsKey("additionalProperties") && obj["x-kubernetes-preserve-unknown-fields"] is null)
            {
                obj["additionalProperties"] = false;
            }
        }

        foreach (var keyword in new[] { "items", "additionalProperties" })
        {
            if (obj[keyword] is JsonObject sub)
            {
                Strict(sub);
            }
        }

        foreach (var keyword in new[] { "allOf", "anyOf", "oneOf" })
        {
            if (obj[keyword] is JsonArray subs)
            {
                foreach (var sub in subs)
                {
                    Strict(sub!);
                }
            }
        }

        return obj;
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
