using Turbine.Gateway.Auth;

namespace Turbine.Gateway.Configuration;

/// <summary>
/// <c>auth:</c> who may call the gateway. With no API keys and no JWT section, authentication is off and every
/// request is anonymous and allowed. Once keys or JWT are configured, a request needs a valid credential unless
/// <see cref="Anonymous"/> grants the model and operation (or it is a health probe and <see cref="AnonymousHealth"/> holds).
/// </summary>
public sealed record AuthConfig : IValidatableConfig
{
    /// <summary>API keys, stored as <c>sha256:&lt;hex&gt;</c> of the key (<c>printf %s KEY | sha256sum</c>).</summary>
    public List<ApiKeyConfig> ApiKeys { get; init => field = value ?? []; } = [];

    /// <summary>JWT bearer tokens; null = not accepted.</summary>
    public JwtConfig? Jwt { get; init; }

    /// <summary>What callers without a credential may do when auth is on; null = nothing (401).</summary>
    public AnonymousAccessConfig? Anonymous { get; init; }

    /// <summary>Let health probes (<c>/v2/health/*</c>, gRPC ServerLive/ServerReady, <c>grpc.health.v1.Health</c>) through without a credential. Default true.</summary>
    public bool AnonymousHealth { get; init; } = true;

    /// <summary>Role that grants every model and operation, and that admin operations require. Default <c>admin</c>.</summary>
    public string AdminRole { get; init; } = "admin";

    /// <summary>True when any credential kind is configured (authentication is on).</summary>
    public bool IsEnabled() => ApiKeys.Count > 0 || Jwt is not null;

    public void Validate(string path, ConfigValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(AdminRole))
        {
            context.Error($"{path}.adminRole", "must not be empty");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var hashes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < ApiKeys.Count; i++)
        {
            var keyPath = $"{path}.apiKeys[{i}]";
            var key = ApiKeys[i];
            if (key is null)
            {
                context.Error(keyPath, "empty entry; expected {id, hash, roles, models, operations}");
                continue;
            }

            key.Validate(keyPath, context);
            if (!string.IsNullOrEmpty(key.Id) && !ids.Add(key.Id))
            {
                context.Error($"{keyPath}.id", $"duplicate API key id '{key.Id}'");
            }

            if (!string.IsNullOrEmpty(key.Hash) && ApiKeyHasher.IsWellFormed(key.Hash) && !hashes.Add(key.Hash))
            {
                context.Error($"{keyPath}.hash", $"the same key hash is already used by another key (id '{key.Id}')");
            }
        }

        Jwt?.Validate($"{path}.jwt", context);
        Anonymous?.Validate($"{path}.anonymous", context);
    }
}
