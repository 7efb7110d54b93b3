namespace Turbine.Server.Logging;

/// <summary>
/// The one validation of a logging-settings change, shared by <c>POST /v2/logging</c> (JSON) and gRPC
/// <c>LogSettings</c> (typed setting values): each front end turns its values into <see cref="Value"/>s, this applies
/// them to the current settings or names the first problem. A rejected change changes nothing.
/// </summary>
internal static class LogSettingsUpdate
{
    /// <summary>The kinds a setting value can have on either protocol.</summary>
    internal enum Kind
    {
        Bool,
        Integer,
        String,
        Other,
    }

    /// <summary>One setting value: its kind, the value when it has one, and how to show it in a message.</summary>
    internal readonly record struct Value(Kind Kind, bool Bool, long Integer, string? Text, string Display);

    /// <summary>The settings after applying <paramref name="changes"/>, or the first problem found.</summary>
    public static (LogSettings.Snapshot? Settings, string? Error) Apply(IEnumerable<(string Name, Value Value)> changes, LogSettings settings)
    {
        var s = settings.Current;
        foreach (var (name, value) in changes)
        {
            switch (name)
            {
                case "log_info":
                case "log_warning":
                case "log_error":
                    if (value.Kind != Kind.Bool)
                    {
                        return (null, $"'{name}' must be true or false, got {value.Display}");
                    }

                    s = name switch
                    {
                        "log_info" => s with { Info = value.Bool },
                        "log_warning" => s with { Warning = value.Bool },
                        _ => s with { Error = value.Bool },
                    };
                    break;
                case "log_verbose_level":
                    if (value.Kind != Kind.Integer || value.Integer is < 0 or > int.MaxValue)
                    {
                        return (null, $"'log_verbose_level' must be a non-negative integer, got {value.Display}");
                    }

                    s = s with { VerboseLevel = (int)value.Integer };
                    break;
                case "log_file":
                    if (value.Kind != Kind.String || value.Text!.Length != 0)
                    {
                        return (null, "'log_file' cannot be changed: Turbine logs to the console (stdout) only");
                    }

                    break;
                case "log_format":
                    if (value.Kind != Kind.String || value.Text != LoggingEndpoint.FormatName(settings.Format))
                    {
                        return (null, $"'log_format' cannot be changed at run time (it is '{LoggingEndpoint.FormatName(settings.Format)}'; set it with --log-format)");
                    }

                    break;
                default:
                    return (null, $"unknown logging setting '{name}'; expected log_file, log_info, log_warning, log_error, log_verbose_level or log_format");
            }
        }

        return (s, null);
    }
}
