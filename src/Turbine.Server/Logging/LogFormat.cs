namespace Turbine.Server.Logging;

/// <summary>How the console log is written (<c>--log-format</c>).</summary>
public enum LogFormat
{
    /// <summary>One line per message: UTC timestamp, level, category, message.</summary>
    Text,

    /// <summary>One JSON object per message (UTC timestamp, level, category, message, scopes with the trace id).</summary>
    Json,
}
