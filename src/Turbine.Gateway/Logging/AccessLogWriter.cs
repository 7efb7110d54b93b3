namespace Turbine.Gateway.Logging;

/// <summary>Writes access-log lines (placeholder until the writer lands).</summary>
internal sealed class AccessLogWriter
{
}
