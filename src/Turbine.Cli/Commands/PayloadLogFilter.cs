using System.Text.Json;

namespace Turbine.Cli.Commands;

/// <summary>Which payload-log records <c>turbine logs</c> prints: all given conditions must hold.</summary>
internal sealed record PayloadLogFilter(string? Model = null, string? Id = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null)
{
    /// <summary>True when the JSON line is a record that matches; lines that are not records never match.</summary>
    public bool Matches(string line)
    {
        if (line.Length == 0)
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (Model is not null && (!r.TryGetProperty("model", out var m) || m.GetString() != Model))
            {
                return false;
            }

            if (Id is not null && (!r.TryGetProperty("id", out var id) || id.GetString() != Id))
            {
                return false;
            }

            if (Since is not null || Until is not null)
            {
                if (!r.TryGetProperty("start", out var s) || !s.TryGetDateTimeOffset(out var start))
                {
                    return false;
                }

                return (Since is null || start >= Since) && (Until is null || start <= Until);
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
