using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Auth;

/// <summary>What an authenticated (or anonymous) caller may do.</summary>
/// <param name="CallerKey">API key id or JWT subject; null when anonymous.</param>
/// <param name="Models">Model globs the caller may use.</param>
/// <param name="Operations">Operations the caller may perform.</param>
/// <param name="Roles">Roles granted.</param>
/// <param name="IsAdmin">Holds the admin role: every model and operation.</param>
internal sealed record CallerGrant(
    string? CallerKey,
    IReadOnlyList<string> Models,
    IReadOnlySet<GatewayOperation> Operations,
    IReadOnlyCollection<string> Roles,
    bool IsAdmin)
{
    /// <summary>Namespaced identity (<c>key:ID</c> or <c>jwt:ISS|SUB</c>); null when anonymous.</summary>
    public string? Identity { get; init; }

    public string Describe() => CallerKey is null ? "anonymous callers" : $"caller '{CallerKey}'";

    /// <summary>Null when allowed, else why not (for the 403 answer).</summary>
    public string? Deny(GatewayOperation operation, string? model, string adminRole)
    {
        if (IsAdmin)
        {
            return null;
        }

        if (operation == GatewayOperation.Admin)
        {
            return $"operation 'admin' requires role '{adminRole}'; {Describe()} does not have it";
        }

        if (!Operations.Contains(operation))
        {
            return $"{Describe()} may not perform operation '{AccessRules.Name(operation)}'";
        }

        if (model is not null && !AccessRules.AnyMatch(Models, model))
        {
            return $"{Describe()} may not use model '{model}'";
        }

        return null;
    }
}
