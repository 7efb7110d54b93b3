using Turbine.Registry.Domain;

namespace Turbine.Registry.Security;

/// <summary>Who is calling: the token's name (the audit actor), its role and model pattern.</summary>
internal sealed record Caller(string Name, TokenRole Role, string Models)
{
    /// <summary>The caller in <c>--dev</c> mode: everything allowed, audited as <c>dev</c>.</summary>
    public static Caller Dev { get; } = new("dev", TokenRole.Admin, ModelPattern.All);

    /// <summary>
    /// Who uploads artifacts, as recorded with each blob: <c>token:ID</c> for a stored token (names may repeat;
    /// ids do not), <c>dev</c> in dev mode.
    /// </summary>
    public string Uploader { get; init; } = "dev";

    /// <summary>Whether the caller may read model <paramref name="model"/>'s versions.</summary>
    public bool MayRead(string model) => Role >= TokenRole.Reader && ModelPattern.Matches(Models, model);

    /// <summary>A 403 error unless the role is at least <paramref name="role"/> and, when given, the model matches the pattern.</summary>
    public RegistryError? Require(TokenRole role, string? model = null)
    {
        if (Role < role)
        {
            return RegistryError.Forbidden(
                $"token '{Name}' has role {Role.ToString().ToLowerInvariant()}; this needs {role.ToString().ToLowerInvariant()}");
        }

        if (model is not null && !ModelPattern.Matches(Models, model))
        {
            return RegistryError.Forbidden($"token '{Name}' is limited to models '{Models}'; '{model}' is outside it");
        }

        return null;
    }

    /// <summary>A 403 error unless the caller is an admin for every model (token management, the whole audit log).</summary>
    public RegistryError? RequireGlobalAdmin()
    {
        if (Require(TokenRole.Admin) is { } error)
        {
            return error;
        }

        return Models != ModelPattern.All
            ? RegistryError.Forbidden($"token '{Name}' is limited to models '{Models}'; this needs an admin token for all models ('*')")
            : null;
    }

    public bool CanSee(string model) => ModelPattern.Matches(Models, model);
}
