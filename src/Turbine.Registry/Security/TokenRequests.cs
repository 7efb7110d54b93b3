using Turbine.Registry.Domain;

namespace Turbine.Registry.Security;

/// <summary>Validates a token's name, role and model pattern (shared by the REST API and <c>turbine registry token create</c>).</summary>
internal static class TokenRequests
{
    public static RegistryResult<(string Name, TokenRole Role, string Models)> Validate(string? name, string? role, string? models)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > RegistryLimits.MaxKeyLength)
        {
            return RegistryError.Invalid("invalid_name", $"token name must have 1-{RegistryLimits.MaxKeyLength} characters");
        }

        if (role is null || !Enum.TryParse<TokenRole>(role, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || char.IsDigit(role[0]))
        {
            return RegistryError.Invalid("invalid_role", $"unknown role '{role}'; expected reader, writer or admin");
        }

        var pattern = string.IsNullOrEmpty(models) ? ModelPattern.All : models;
        if (!ModelPattern.IsValid(pattern))
        {
            return RegistryError.Invalid("invalid_pattern", $"model pattern '{pattern}' may use only A-Z a-z 0-9 _ . - and the wildcards * ?");
        }

        return (name.Trim(), parsed, pattern);
    }
}
