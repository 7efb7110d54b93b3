using System.CommandLine;

namespace Turbine.Cli.Commands;

/// <summary>
/// The <c>--host</c> flag of every role (serve, gateway, registry, control serve): the address to bind. Its default is
/// <see cref="Variable"/> when set, else the role's own (loopback), so the container image binds all interfaces in
/// every role without each command line saying so; a <c>--host</c> given still wins.
/// </summary>
internal static class HostFlag
{
    /// <summary>Environment variable giving the default address to bind (the container image sets 0.0.0.0).</summary>
    public const string Variable = "TURBINE_HOST";

    /// <param name="builtInDefault">The role's default when <see cref="Variable"/> is not set.</param>
    /// <param name="environment">Reads an environment variable; default the process environment.</param>
    public static Option<string> Create(string builtInDefault, Func<string, string?>? environment = null)
    {
        var read = environment ?? Environment.GetEnvironmentVariable;
        return new("--host")
        {
            Description = $"Address to bind (default ${Variable}, else {builtInDefault}).",
            DefaultValueFactory = _ => read(Variable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : builtInDefault,
        };
    }
}
