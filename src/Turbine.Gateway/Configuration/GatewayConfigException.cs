namespace Turbine.Gateway.Configuration;

/// <summary>The gateway's config file is unreadable or invalid; <see cref="Errors"/> holds one <c>FILE:LINE:COL: path: message</c> line each.</summary>
public sealed class GatewayConfigException(IReadOnlyList<string> errors) : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
