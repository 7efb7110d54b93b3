using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Turbine.Gateway.Configuration;

/// <summary>
/// Reads <c>gateway.yaml</c>: YAML with camelCase keys into <see cref="GatewayConfig"/>, then validation of every
/// section (<see cref="IValidatableConfig"/>) and of the references between them (a model's pools exist). Every
/// error comes back as <c>FILE:LINE:COL: path: message</c>, the position found by walking the YAML
/// representation model along the error's path.
/// </summary>
internal static class GatewayConfigLoader
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    /// <summary>Loads and validates a file; <paramref name="errors"/> is empty on success.</summary>
    public static GatewayConfig? LoadFile(string path, out IReadOnlyList<string> errors)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors = [$"{path}: cannot read the config file: {e.Message}"];
            return null;
        }

        return Load(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!, out errors);
    }

    /// <summary>Parses and validates YAML text; <paramref name="displayName"/> prefixes each error.</summary>
    public static GatewayConfig? Load(string text, string displayName, string baseDirectory, out IReadOnlyList<string> errors)
    {
        GatewayConfig config;
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
            config = Deserializer.Deserialize<GatewayConfig?>(text) ?? new GatewayConfig();
        }
        catch (YamlException e)
        {
            errors = [$"{displayName}:{Position(e.Start)}: {Describe(e)}"];
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            // Also what a reload sees in the middle of a non-atomic save: never apply it.
            errors = [$"{displayName}:1:1: the config is empty: it needs at least one pool under 'pools'"];
            return null;
        }

        var context = new ConfigValidationContext { BaseDirectory = baseDirectory };
        Validate(config, context);
        if (context.Errors.Count == 0)
        {
            errors = [];
            return config;
        }

        var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
        errors = context.Errors.Select(e => $"{displayName}:{Position(Locate(root, e.Path))}: {e.Path}: {e.Message}").ToList();
        return null;
    }

    /// <summary>
    /// Validates a config built in code (no YAML, so no line numbers): the same checks as <see cref="Load"/>, each error
    /// as <c>NAME: path: message</c>. Empty when valid.
    /// </summary>
    public static IReadOnlyList<string> Validate(GatewayConfig config, string displayName, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(config);
        var context = new ConfigValidationContext { BaseDirectory = baseDirectory };
        Validate(config, context);
        return context.Errors.Select(e => $"{displayName}: {e.Path}: {e.Message}").ToList();
    }

    private static void Validate(GatewayConfig config, ConfigValidationContext context)
    {
        foreach (var (name, pool) in config.Pools)
        {
            if (pool is null)
            {
                context.Error("pools." + name, "the pool is empty");
                continue;
            }

            pool.Validate("pools." + name, context);
        }

        foreach (var (name, route) in config.Models)
        {
            var path = "models." + name;
            if (route is null)
            {
                context.Error(path, "the model route is empty: give it a 'pool'");
                continue;
            }

            route.Validate(path, context);
            foreach (var (refPath, pool) in route.PoolReferences(path))
            {
                if (pool is null)
                {
                    context.Error(refPath, "a pool name is required");
                }
                else if (!config.Pools.ContainsKey(pool))
                {
                    context.Error(refPath, $"unknown pool '{pool}' (pools: {string.Join(", ", config.Pools.Keys.Order(StringComparer.Ordinal))})");
                }
            }
        }

        config.Metrics.Validate("metrics", context);
        config.Limits.Validate("limits", context);

        // The edge sections validate themselves when their owner makes them validatable.
        foreach (var (path, section) in new (string, object)[]
                 {
                     ("auth", config.Auth), ("rateLimits", config.RateLimits), ("transforms", config.Transforms), ("accessLog", config.AccessLog),
                 })
        {
            if (section is IValidatableConfig validatable)
            {
                validatable.Validate(path, context);
            }
        }
    }

    /// <summary>The node a dotted path (<c>models.a.split[1].weight</c>) names, or its deepest existing ancestor.</summary>
    internal static Mark Locate(YamlNode? root, string path)
    {
        if (root is null)
        {
            return Mark.Empty;
        }

        var node = root;
        foreach (var segment in path.Split('.'))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var key = bracket < 0 ? segment : segment[..bracket];
            if (key.Length > 0)
            {
                if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var child))
                {
                    return node.Start;
                }

                node = child;
            }

            while (bracket >= 0)
            {
                var end = segment.IndexOf(']', bracket);
                if (end < 0 || !int.TryParse(segment.AsSpan(bracket + 1, end - bracket - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    || node is not YamlSequenceNode seq || index >= seq.Children.Count)
                {
                    return node.Start;
                }

                node = seq.Children[index];
                bracket = segment.IndexOf('[', end);
            }
        }

        return node.Start;
    }

    private static string Position(Mark mark) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, mark.Line)}:{Math.Max(1, mark.Column)}");

    private static string Describe(YamlException e)
    {
        // YamlDotNet wraps conversion errors; the innermost message names the real problem.
        var message = e.InnerException is { } inner and not YamlException ? $"{e.Message.TrimEnd('.')}: {inner.Message}" : e.Message;
        return message.Replace("(Line: ", "(line ", StringComparison.Ordinal);
    }
}
