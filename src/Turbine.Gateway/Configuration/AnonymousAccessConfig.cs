using Turbine.Gateway.Auth;

namespace Turbine.Gateway.Configuration;

/// <summary><c>auth.anonymous</c>: the models and operations open to callers without a credential.</summary>
public sealed record AnonymousAccessConfig
{
    /// <summary>Model name globs. Default: none.</summary>
    public List<string> Models { get; init => field = value ?? []; } = [];

    /// <summary>Operations (<c>server</c>, <c>metadata</c>, <c>infer</c>; <c>admin</c> is never anonymous). Default: server.</summary>
    public List<string> Operations { get; init => field = value ?? []; } = ["server"];

    internal void Validate(string path, ConfigValidationContext context)
    {
        AccessRules.ValidateModels(Models, $"{path}.models", context);
        AccessRules.ValidateOperations(Operations, $"{path}.operations", context);
        if (Operations.Any(o => string.Equals(o?.Trim(), "admin", StringComparison.OrdinalIgnoreCase)))
        {
            context.Error($"{path}.operations", "'admin' cannot be granted to anonymous callers");
        }
    }
}
