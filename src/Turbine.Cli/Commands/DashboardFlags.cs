using System.CommandLine;
using Turbine.Control;
using Turbine.Control.Api;

namespace Turbine.Cli.Commands;

/// <summary>
/// The dashboard's flags on <c>turbine control serve</c> (docs/dashboard.md): where its payload browser and Model-health
/// page read from, or none at all. The Models page uses the registry the control service already knows.
/// </summary>
internal sealed class DashboardFlags
{
    private readonly Option<bool> _off = new("--no-dashboard") { Description = "Do not serve the web dashboard at /dashboard/." };
    private readonly Option<string?> _payloads = new("--dashboard-payload-log-dir") { Description = "The payload-log folder (serve --payload-log-dir) the dashboard's payload browser reads." };
    private readonly Option<string?> _monitoring = new("--dashboard-monitoring-url") { Description = "The monitoring service whose drift summary the dashboard's Model-health page shows." };

    public void AddTo(Command command)
    {
        command.Options.Add(_off);
        command.Options.Add(_payloads);
        command.Options.Add(_monitoring);
    }

    /// <summary><paramref name="options"/> with the dashboard settings from the flags; the registry is the API's, else the resolver's (with its token).</summary>
    public ControlOptions Apply(ParseResult parse, ControlOptions options, ControlPlaneOptions plane)
    {
        Uri? monitoring = null;
        if (parse.GetValue(_monitoring) is { } text && !Uri.TryCreate(text, UriKind.Absolute, out monitoring))
        {
            throw new ControlCommand.UsageException($"--dashboard-monitoring-url '{text}' is not an absolute URL");
        }

        return options with
        {
            Dashboard = options.Dashboard with
            {
                Enabled = !parse.GetValue(_off),
                RegistryUrl = options.RegistryUrl ?? plane.Resolver?.RegistryUrl,
                RegistryToken = plane.Resolver?.RegistryToken,
                PayloadLogDirectory = parse.GetValue(_payloads) is { } folder ? Path.GetFullPath(folder) : null,
                MonitoringUrl = monitoring,
            },
        };
    }
}
