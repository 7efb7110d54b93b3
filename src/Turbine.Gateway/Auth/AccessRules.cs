using Turbine.Gateway.Configuration;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Auth;

/// <summary>Parsing and matching of the access lists in the auth config: model globs, operation names, role names.</summary>
internal static class AccessRules
{
    /// <summary>Operations a credential gets when its config or token does not list any.</summary>
    public static readonly IReadOnlySet<GatewayOperation> DefaultOperations =
        new HashSet<GatewayOperation> { GatewayOperation.Server, GatewayOperation.Metadata, GatewayOperation.Infer };

    public static string Name(GatewayOperation operation) => operation switch
    {
        GatewayOperation.Server => "server",
        GatewayOperation.Metadata => "metadata",
        GatewayOperation.Infer => "infer",
        _ => "admin",
    };

    public static bool TryParseOperation(string? text, out GatewayOperation operation)
    {
        switch (text?.ToLowerInvariant())
        {
            case "server": operation = GatewayOperation.Server; return true;
            case "metadata": operation = GatewayOperation.Metadata; return true;
            case "infer": operation = GatewayOperation.Infer; return true;
            case "admin": operation = GatewayOperation.Admin; return true;
            default: operation = default; return false;
        }
    }

    public static HashSet<GatewayOperation> ParseOperations(IEnumerable<string> names)
    {
        var set = new HashSet<GatewayOperation>();
        foreach (var name in names)
        {
            if (TryParseOperation(name, out var operation))
            {
                set.Add(operation);
            }
        }

        return set;
    }

    /// <summary>Glob match: <c>*</c> any run of characters, <c>?</c> one character; case-sensitive like model names.</summary>
    public static bool GlobMatch(string pattern, string value) =>
        System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, value, ignoreCase: false);

    public static bool AnyMatch(IReadOnlyList<string> patterns, string value)
    {
        // Indexed (no enumerator boxed through the interface): this runs for every request of a caller limited to models.
        for (var i = 0; i < patterns.Count; i++)
        {
            var pattern = patterns[i];
            if (pattern == "*" || GlobMatch(pattern, value))
            {
                return true;
            }
        }

        return false;
    }

    public static void ValidateModels(List<string>? models, string path, ConfigValidationContext context)
    {
        if (models is null)
        {
            return;
        }

        for (var i = 0; i < models.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(models[i]))
            {
                context.Error($"{path}[{i}]", "expected a model name or glob (for example 'fraud-*' or '*')");
            }
        }
    }

    public static void ValidateOperations(List<string>? operations, string path, ConfigValidationContext context)
    {
        if (operations is null)
        {
            return;
        }

        for (var i = 0; i < operations.Count; i++)
        {
            if (!TryParseOperation(operations[i], out _))
            {
                context.Error($"{path}[{i}]", $"unknown operation '{operations[i]}'; expected one of server, metadata, infer, admin");
            }
        }
    }

    public static void ValidateNames(List<string>? names, string path, ConfigValidationContext context)
    {
        if (names is null)
        {
            return;
        }

        for (var i = 0; i < names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]))
            {
                context.Error($"{path}[{i}]", "must not be empty");
            }
        }
    }
}
