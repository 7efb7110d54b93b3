using System.Globalization;
using System.Net;

namespace Turbine.Hosting;

/// <summary>
/// The address rules every host's options validator applies, in the words the CLI has always printed (the flag
/// named, the value given). Shared by the server, gateway and registry hosts.
/// </summary>
public static class HostOptionRules
{
    /// <summary>Why <paramref name="value"/> cannot be the port of <paramref name="flag"/>, or null when it can (0 = pick a free port).</summary>
    public static string? Port(string flag, int value) =>
        value is < 0 or > 65535 ? $"{flag} must be between 0 and 65535, got {value.ToString(CultureInfo.InvariantCulture)}" : null;

    /// <summary>Why <paramref name="value"/> cannot be bound, or null when it is an IP address or <c>localhost</c>.</summary>
    public static string? Host(string? value) =>
        value == "localhost" || IPAddress.TryParse(value, out _) ? null : $"--host must be an IP address or 'localhost', got '{value}'";

    /// <summary>The address to bind: <c>localhost</c> is loopback; call after <see cref="Host"/> accepted it.</summary>
    public static IPAddress Address(string value) => value is "localhost" ? IPAddress.Loopback : IPAddress.Parse(value);
}
