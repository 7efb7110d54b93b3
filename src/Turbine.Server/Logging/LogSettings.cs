using Microsoft.Extensions.Logging;

namespace Turbine.Server.Logging;

/// <summary>
/// Triton's log settings (<c>log_info</c>, <c>log_warning</c>, <c>log_error</c>, <c>log_verbose_level</c>) as a
/// level switch every logger filter consults on each <c>IsEnabled</c>: a change through <c>POST /v2/logging</c>
/// takes effect at once, no logger is rebuilt. The snapshot is swapped atomically.
/// </summary>
internal sealed class LogSettings(LogFormat format)
{
    private volatile Snapshot _current = new(Info: true, Warning: true, Error: true, VerboseLevel: 0);

    public LogFormat Format { get; } = format;

    public Snapshot Current => _current;

    public void Set(Snapshot snapshot) => _current = snapshot;

    /// <summary>Whether a message of <paramref name="level"/> passes the switch (Critical counts as an error).</summary>
    public bool IsEnabled(LogLevel level)
    {
        var s = _current;
        return level switch
        {
            LogLevel.Trace => s.VerboseLevel >= 2,
            LogLevel.Debug => s.VerboseLevel >= 1,
            LogLevel.Information => s.Info,
            LogLevel.Warning => s.Warning,
            LogLevel.Error or LogLevel.Critical => s.Error,
            _ => false,
        };
    }

    /// <summary>One consistent set of the switches.</summary>
    public sealed record Snapshot(bool Info, bool Warning, bool Error, int VerboseLevel);
}
