using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Turbine.Hosting;

namespace Turbine.Registry;

/// <summary>
/// The rules <see cref="RegistryOptions"/> must meet, for every caller: <c>turbine registry</c> checks its port flag with
/// <see cref="CheckPort"/>, <see cref="RegistryServer.StartAsync"/> refuses options that break a rule
/// (<see cref="ArgumentException"/>), and a host composed with <see cref="RegistryServiceCollectionExtensions.AddTurbineRegistry"/>
/// fails at start (<c>ValidateOnStart</c>).
/// </summary>
public sealed class RegistryOptionsValidator : IValidateOptions<RegistryOptions>
{
    /// <summary>Why <paramref name="value"/> cannot be the port of <paramref name="flag"/>, or null when it can.</summary>
    public static string? CheckPort(string flag, int value) => HostOptionRules.Port(flag, value);

    /// <summary>Every problem with <paramref name="options"/>; empty when valid.</summary>
    public static IReadOnlyList<string> Problems(RegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.Host != "localhost" && !IPAddress.TryParse(options.Host, out _))
        {
            problems.Add($"--host '{options.Host}' is not an IP address (or localhost)");
        }
        else if (options.Dev && !IPAddress.IsLoopback(HostOptionRules.Address(options.Host)))
        {
            problems.Add($"--dev runs without API tokens and is allowed only on a loopback host, not '{options.Host}'");
        }

        if (CheckPort("--http-port", options.Port) is { } port)
        {
            problems.Add(port);
        }

        try
        {
            RegistryArtifactStores.Validate(options);
        }
        catch (ArgumentException e)
        {
            problems.Add(e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message);
        }

        if (options.MaxArtifactBytes <= 0)
        {
            problems.Add($"the artifact size limit must be positive, got {options.MaxArtifactBytes.ToString(CultureInfo.InvariantCulture)}");
        }

        return problems;
    }

    public ValidateOptionsResult Validate(string? name, RegistryOptions options) =>
        Problems(options) is [_, ..] problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
