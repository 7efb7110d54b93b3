using Microsoft.Extensions.Options;
using Turbine.Hosting;

namespace Turbine.Gateway;

/// <summary>
/// The rules <see cref="GatewayOptions"/> must meet, for every caller: <c>turbine gateway</c> reports them with its
/// flag names (exit code 2), <see cref="GatewayHost.StartAsync(GatewayOptions, CancellationToken)"/> and
/// <see cref="GatewayServiceCollectionExtensions.AddTurbineGateway"/> (through <c>ValidateOnStart</c>) refuse to start.
/// </summary>
public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    /// <summary>Why <paramref name="value"/> cannot be the port of <paramref name="flag"/>, or null when it can.</summary>
    public static string? CheckPort(string flag, int value) => HostOptionRules.Port(flag, value);

    /// <summary>Why <paramref name="value"/> cannot be the address to bind, or null when it can.</summary>
    public static string? CheckHost(string? value) => HostOptionRules.Host(value);

    /// <summary>Every problem with <paramref name="options"/>; empty when valid.</summary>
    public static IReadOnlyList<string> Problems(GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string?[] problems =
        [
            CheckHost(options.Host),
            CheckPort("--http-port", options.HttpPort),
            CheckPort("--grpc-port", options.GrpcPort),
            options.ConfigPollInterval <= TimeSpan.Zero ? $"the config poll interval must be positive, got {options.ConfigPollInterval}" : null,
        ];
        return problems.OfType<string>().ToList();
    }

    public ValidateOptionsResult Validate(string? name, GatewayOptions options) =>
        Problems(options) is [_, ..] problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
