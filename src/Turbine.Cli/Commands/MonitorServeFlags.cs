using System.CommandLine;
using System.Text.Json;
using Turbine.Monitoring;
using Turbine.Monitoring.Online;
using Turbine.Monitoring.Profiles;
using Turbine.Server;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine serve --monitor MODEL=PROFILE.json[:regression]</c>: monitors the model against the reference profile
/// (written by <c>turbine monitor baseline -o</c>); <c>--monitor-window-rows</c>, <c>--monitor-window-secs</c> and
/// <c>--monitor-sampling</c> apply to every monitored model. docs/monitoring.md.
/// </summary>
internal sealed class MonitorServeFlags
{
    private readonly Option<string[]> _monitor = new("--monitor")
    {
        Description = "Monitor a model: MODEL=PROFILE.json (from turbine monitor baseline -o), ':regression' after the path for a regression model (repeatable). Serving from a registry, versions with a stored profile are monitored without this flag.",
    };

    private readonly Option<int> _windowRows = new("--monitor-window-rows") { Description = "Rows per monitoring window (default 1000).", DefaultValueFactory = _ => 1000 };

    private readonly Option<int> _windowSecs = new("--monitor-window-secs") { Description = "Longest a monitoring window stays open, in seconds (default 300).", DefaultValueFactory = _ => 300 };

    private readonly Option<double> _sampling = new("--monitor-sampling") { Description = "Share of requests monitored, 0 to 1 (default 1).", DefaultValueFactory = _ => 1.0 };

    public void AddTo(Command command)
    {
        command.Options.Add(_monitor);
        command.Options.Add(_windowRows);
        command.Options.Add(_windowSecs);
        command.Options.Add(_sampling);
        _monitor.Validators.Add(r =>
        {
            foreach (var value in r.GetValueOrDefault<string[]>() ?? [])
            {
                if (Parse(value) is not { } spec)
                {
                    r.AddError($"--monitor '{value}' must be MODEL=PROFILE.json[:regression]");
                }
                else if (!File.Exists(spec.Path))
                {
                    r.AddError($"--monitor '{value}': the profile '{spec.Path}' does not exist");
                }
                else if (ReadProfile(spec.Path) is { } problem)
                {
                    r.AddError($"--monitor '{value}': {problem}");
                }
            }
        });
        _windowRows.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--monitor-window-rows must be at least 1");
            }
        });
        _windowSecs.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--monitor-window-secs must be at least 1");
            }
        });
        _sampling.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0 or > 1)
            {
                r.AddError("--monitor-sampling must be between 0 and 1");
            }
        });
    }

    /// <summary>
    /// The options with a <see cref="MonitoringService"/> when <c>--monitor</c> was given, or when serving from the
    /// registry (profiles stored with the versions; off with <c>--no-registry-monitoring</c>). It lives as long as the process.
    /// </summary>
    public ServerOptions Apply(ParseResult parse, ServerOptions options)
    {
        var specs = parse.GetValue(_monitor) ?? [];
        var fromRegistry = options.Registry is { MonitorProfiles: true };
        if (specs.Length == 0 && !fromRegistry)
        {
            return options;
        }

        var service = new MonitoringService
        {
            RegistryDefaults = fromRegistry
                ? new MonitorDefaults
                {
                    WindowRows = parse.GetValue(_windowRows),
                    WindowDuration = TimeSpan.FromSeconds(parse.GetValue(_windowSecs)),
                    Sampling = parse.GetValue(_sampling),
                }
                : null,
        };
        foreach (var spec in specs.Select(Parse))
        {
            ReferenceProfile profile;
            try
            {
                profile = JsonSerializer.Deserialize<ReferenceProfile>(File.ReadAllText(spec!.Value.Path), MonitoringJson.Options)
                    ?? throw new ArgumentException($"--monitor: the profile '{spec.Value.Path}' is empty");
            }
            catch (JsonException e)
            {
                throw new ArgumentException($"--monitor: the profile '{spec!.Value.Path}' is not a reference profile: {e.Message}", e);
            }

            service.Configure(spec.Value.Model, new MonitorSettings
            {
                Profile = profile,
                Task = spec.Value.Regression ? ModelTask.Regression : ModelTask.Classification,
                WindowRows = parse.GetValue(_windowRows),
                WindowDuration = TimeSpan.FromSeconds(parse.GetValue(_windowSecs)),
                Sampling = parse.GetValue(_sampling),
            });
        }

        return options with { Monitoring = service };
    }

    /// <summary>Null when the file holds a reference profile, else the problem.</summary>
    private static string? ReadProfile(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ReferenceProfile>(File.ReadAllText(path), MonitoringJson.Options) is null ? "the profile is empty" : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return $"the profile '{path}' is not a reference profile: {e.Message}";
        }
    }

    private static (string Model, string Path, bool Regression)? Parse(string value)
    {
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == value.Length - 1)
        {
            return null;
        }

        var path = value[(eq + 1)..];
        var regression = path.EndsWith(":regression", StringComparison.Ordinal);
        if (regression || path.EndsWith(":classification", StringComparison.Ordinal))
        {
            path = path[..path.LastIndexOf(':')];
        }

        return (value[..eq], path, regression);
    }
}
