using Microsoft.AspNetCore.Http;

namespace Turbine.Registry.Domain;

/// <summary>
/// An expected failure of a registry operation (bad input, conflict, missing thing, not allowed), returned as a value
/// by validation, storage and the API layer; the REST edge answers it as <c>{"error": Message, "code": Code}</c> with
/// <see cref="StatusCode"/>. Nothing was changed when one comes back. The registry server has no exception type of its
/// own for these: the one <c>RegistryException</c> is the client SDK's public
/// <c>Turbine.Client.Registry.RegistryException</c>, which <c>RegistryClient</c> builds from this answer's status and body.
/// </summary>
internal sealed record RegistryError(int StatusCode, string Code, string Message)
{
    public static RegistryError NotFound(string message) => new(StatusCodes.Status404NotFound, "not_found", message);

    public static RegistryError Invalid(string code, string message) => new(StatusCodes.Status400BadRequest, code, message);

    public static RegistryError Conflict(string message) => new(StatusCodes.Status409Conflict, "already_exists", message);

    public static RegistryError Forbidden(string message) => new(StatusCodes.Status403Forbidden, "forbidden", message);

    public static RegistryError Unauthenticated(string message) => new(StatusCodes.Status401Unauthorized, "unauthenticated", message);

    public static RegistryError TooLarge(string message) => new(StatusCodes.Status413PayloadTooLarge, "too_large", message);

    /// <summary>The first error of checks that ran in order (each null when it passed).</summary>
    public static RegistryError? First(params ReadOnlySpan<RegistryError?> checks)
    {
        foreach (var check in checks)
        {
            if (check is not null)
            {
                return check;
            }
        }

        return null;
    }

    public override string ToString() => $"{StatusCode} {Code}: {Message}";
}
