namespace Turbine.Control.Api;

/// <summary>Who calls the control API: the token's name, its scope and the deployment-name pattern it is limited to.</summary>
/// <param name="Name">The token's name (never its secret).</param>
/// <param name="Scope">What it may do.</param>
/// <param name="Deployments">A glob (<c>*</c>, <c>?</c>) of the deployment names it may touch; a registry token's model pattern.</param>
public sealed record ControlCaller(string Name, ControlScope Scope, string Deployments)
{
    /// <summary>The caller in dev mode: may do everything.</summary>
    public static ControlCaller Dev { get; } = new("dev", ControlScope.Write, "*");

    /// <summary>True when the registry vouched for the token (so the dashboard may forward it to the registry); false for static tokens and dev mode.</summary>
    public bool FromRegistry { get; init; }

    /// <summary>Whether the caller may touch deployment <paramref name="name"/>.</summary>
    /// <param name="name">The deployment name.</param>
    public bool MayTouch(string name) =>
        Deployments == "*" || System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(Deployments, name, ignoreCase: false);
}
