namespace Turbine.Registry.Domain;

/// <summary>
/// An expected failure of a registry operation (bad input, conflict, missing thing). The REST layer answers it as
/// <c>{"error": Message, "code": Code}</c> with <see cref="StatusCode"/>; nothing was changed when it is thrown.
/// </summary>
internal sealed class RegistryException(int statusCode, string code, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string Code { get; } = code;

    public static RegistryException NotFound(string message) => new(404, "not_found", message);

    public static RegistryException Invalid(string code, string message) => new(400, code, message);
}
