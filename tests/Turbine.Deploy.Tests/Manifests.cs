using System.Text.Json.Nodes;
using Turbine.Gateway.Configuration;

namespace Turbine.Deploy.Tests;

/// <summary>Reading rendered YAML streams: the objects, one by kind, and a gateway config checked by the gateway's own loader.</summary>
internal static class Manifests
{
    public static IReadOnlyList<JsonObject> Objects(string yaml) => [.. CrdSchema.YamlDocumentsToJson(yaml).OfType<JsonObject>().Select(Normalize)];

    /// <summary>The object re-read from its JSON text, so that every number reads as int or long alike.</summary>
    public static JsonObject Normalize(JsonObject obj) => JsonNode.Parse(obj.ToJsonString())!.AsObject();

    public static JsonObject Single(IEnumerable<JsonObject> objects, string kind, string? nameSuffix = null) =>
        objects.Single(o => (string?)o["kind"] == kind && (nameSuffix is null || ((string?)o["metadata"]!["name"])!.EndsWith(nameSuffix, StringComparison.Ordinal)));

    public static string[] Kinds(IEnumerable<JsonObject> objects) => [.. objects.Select(o => (string)o["kind"]!).Order(StringComparer.Ordinal)];

    /// <summary>The serving container of a Deployment (the first container).</summary>
    public static JsonObject Container(JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();

    public static string[] Args(JsonObject container) => [.. container["args"]!.AsArray().Select(a => a!.ToString())];

    /// <summary>The value after <paramref name="flag"/> in <paramref name="args"/>.</summary>
    public static string Flag(string[] args, string flag) => args[Array.IndexOf(args, flag) + 1];

    /// <summary>Loads a gateway config with the gateway's loader (YAML, unknown keys, validation) and fails on any error.</summary>
    public static GatewayConfig Gateway(string text)
    {
        using var folder = new TempFolder("turbine-deploy-gw");
        var config = GatewayConfigLoader.Load(text, "gateway.yaml", folder.Path, out var errors);
        Assert.True(config is not null && errors.Count == 0, string.Join("\n", errors));
        return config!;
    }
}
