using Turbine.Registry.Domain;

namespace Turbine.Registry.Api;

/// <summary>Checks a SHA-256 given by a client: 64 hex digits, answered in lowercase.</summary>
internal static class Digests
{
    public static RegistryResult<string> Normalize(string text)
    {
        var value = text.Trim();
        if (value.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            value = value[7..];
        }

        return value.Length == 64 && value.All(Uri.IsHexDigit)
            ? value.ToLowerInvariant()
            : RegistryError.Invalid("invalid_digest", $"'{text}' is not a SHA-256 digest (64 hex digits)");
    }
}
