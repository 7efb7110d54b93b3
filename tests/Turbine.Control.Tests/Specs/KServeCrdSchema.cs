using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Turbine.Control.Tests.Specs;

/// <summary>
/// KServe's InferenceService CRD (test asset under Specs/Schemas/kserve, Apache-2.0, see SOURCE.md there): the v1beta1
/// <c>openAPIV3Schema</c> as a JSON schema for JsonSchema.Net. OpenAPI v3 extensions (<c>x-kubernetes-*</c>,
/// <c>nullable</c>) are unknown keywords to a JSON-schema validator and are ignored; <c>format</c> (int32, int64,
/// int-or-string) is an annotation only, since format assertion stays off; the CRD writes each int-or-string as an
/// <c>anyOf</c> of integer and string, which the validator checks as such, so no special handling is needed.
/// </summary>
internal static partial class KServeCrdSchema
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Specs", "Schemas", "kserve");

    private static readonly Lazy<JsonObject> SchemaNode = new(LoadSchema);

    /// <summary>The v1beta1 openAPIV3Schema as JSON.</summary>
    public static JsonObject Node => SchemaNode.Value;

    public static JsonSchema Schema { get; } = JsonSchema.FromText(Node.ToJsonString());

    /// <summary>
    /// The same schema with <c>additionalProperties: false</c> on every object that lists its properties and does not
    /// preserve unknown fields: what <c>kubectl apply --validate=strict</c> (the default) refuses instead of pruning.
    /// </summary>
    public static JsonSchema StrictSchema { get; } = JsonSchema.FromText(Strict(Node.DeepClone()).ToJsonString());

    public static EvaluationResults Validate(JsonSchema schema, string manifestYaml) =>
        schema.Evaluate(YamlToJson(manifestYaml), new EvaluationOptions { OutputFormat = OutputFormat.List });

    public static string Describe(EvaluationResults results) => string.Join("\n",
        (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));

    public static JsonNode? YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return ToJson(stream.Documents[0].RootNode);
    }

    private static JsonObject LoadSchema()
    {
        var crd = YamlToJson(File.ReadAllText(Path.Combine(Folder, "serving.kserve.io_inferenceservices.yaml")))!;
        var version = crd["spec"]!["versions"]!.AsArray().Single(v => (string?)v!["name"] == "v1beta1")!;
        return version["schema"]!["openAPIV3Schema"]!.AsObject();
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
