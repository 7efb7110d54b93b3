using Turbine.Gateway.Auth;

namespace Turbine.Gateway.Configuration;

/// <summary>One API key under <c>auth.apiKeys</c>: only its hash is stored.</summary>
public sealed record ApiKeyConfig
{
    /// <summary>Stable name of the key: the caller key in logs, rate limits and sticky A/B assignment.</summary>
    public string Id { get; init; } = "";

    /// <summary><c>sha256:&lt;64 hex digits&gt;</c> of the key's UTF-8 bytes.</summary>
    public string Hash { get; init; } = "";

    /// <summary>Roles granted (the admin role grants everything).</summary>
    public List<string> Roles { get; init => field = value ?? []; } = [];

    /// <summary>Model name globs this key may use (<c>*</c>, <c>fraud-*</c>). Default: every model.</summary>
    public List<string> Models { get; init => field = value ?? []; } = ["*"];

    /// <summary>Operations allowed: <c>server</c>, <c>metadata</c>, <c>infer</c>, <c>admin</c>. Default: server, metadata, infer.</summary>
    public List<string> Operations { get; init => field = value ?? []; } = ["server", "metadata", "infer"];

    internal void Validate(string path, ConfigValidationContext context)
    {
        if (string.IsNullOrWhiteSpace(Id))
        {
            context.Error($"{path}.id", "required: a name for the key (used in logs and rate limits)");
        }

        if (string.IsNullOrWhiteSpace(Hash))
        {
            context.Error($"{path}.hash", "required: 'sha256:<64 hex digits>' of the key (printf %s KEY | sha256sum)");
        }
        else if (!ApiKeyHasher.IsWellFormed(Hash))
        {
            context.Error($"{path}.hash", $"expected 'sha256:<64 hex digits>', got '{Truncate(Hash)}'");
        }

        AccessRules.ValidateModels(Models, $"{path}.models", context);
        AccessRules.ValidateOperations(Operations, $"{path}.operations", context);
        AccessRules.ValidateNames(Roles, $"{path}.roles", context);
    }

    private static string Truncate(string value) => value.Length <= 16 ? value : value[..16] + "…";
}
