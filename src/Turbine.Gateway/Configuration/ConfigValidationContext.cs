namespace Turbine.Gateway.Configuration;

/// <summary>
/// Collects semantic errors found while validating a <see cref="GatewayConfig"/>. Paths are dotted YAML paths in the
/// file's own key spelling (<c>auth.apiKeys[2].hash</c>, <c>models.fraud.canary.weight</c>); the loader turns each
/// path into the line and column of that node, so the user sees <c>gateway.yaml:14:7: auth.apiKeys[2].hash: …</c>.
/// </summary>
public sealed class ConfigValidationContext
{
    private readonly List<ConfigError> _errors = [];

    /// <summary>Folder of the config file: relative paths in the config (JWKS files…) resolve against it.</summary>
    public required string BaseDirectory { get; init; }

    public IReadOnlyList<ConfigError> Errors => _errors;

    public void Error(string path, string message) => _errors.Add(new ConfigError(path, message));
}

/// <summary>One validation error: the YAML path at fault and what is wrong with it.</summary>
public sealed record ConfigError(string Path, string Message);

/// <summary>A config section that can check itself; called by the loader after deserializing.</summary>
public interface IValidatableConfig
{
    /// <param name="path">This section's own path (<c>auth</c>), to prefix the paths it reports.</param>
    /// <param name="context">Where the section reports its errors.</param>
    void Validate(string path, ConfigValidationContext context);
}
