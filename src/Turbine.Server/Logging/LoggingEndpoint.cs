using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Server.Http;

namespace Turbine.Server.Logging;

/// <summary>
/// Triton's logging extension: <c>GET /v2/logging</c> answers the settings, <c>POST /v2/logging</c> changes the
/// ones that can change at run time (<c>log_info</c>, <c>log_warning</c>, <c>log_error</c>,
/// <c>log_verbose_level</c>) and answers the settings after the change. Anything else is a 400 naming the field;
/// a rejected request changes nothing.
/// </summary>
internal static class LoggingEndpoint
{
    private const long MaxBodyBytes = 64 * 1024;

    public static Task GetAsync(HttpContext ctx, LogSettings settings) => JsonResults.WriteAsync(ctx, w => Write(w, settings));

    public static async Task PostAsync(HttpContext ctx, LogSettings settings)
    {
        var read = await RequestBody.ReadAsync(ctx.Request, MaxBodyBytes, "the /v2/logging body limit",
            ctx.RequestServices.GetRequiredService<RequestBodyBudget>(), ctx.RequestAborted).ConfigureAwait(false);
        if (!read.IsOk)
        {
            await HttpErrors.WriteAsync(ctx, RequestBody.HttpStatus(read.Error), read.Error.Message).ConfigureAwait(false);
            return;
        }

        string? error;
        LogSettings.Snapshot? updated;
        using (var body = read.Value)
        {
            (updated, error) = Parse(body.Memory, settings);
        }

        if (error is not null)
        {
            await HttpErrors.WriteAsync(ctx, StatusCodes.Status400BadRequest, error).ConfigureAwait(false);
            return;
        }

        settings.Set(updated!);
        await JsonResults.WriteAsync(ctx, w => Write(w, settings)).ConfigureAwait(false);
    }

    /// <summary>The settings after applying <paramref name="json"/>, or the first problem found.</summary>
    internal static (LogSettings.Snapshot? Settings, string? Error) Parse(ReadOnlyMemory<byte> json, LogSettings settings)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return (null, $"logging settings must be a JSON object: {e.Message}");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, $"logging settings must be a JSON object, got {doc.RootElement.ValueKind}");
            }

            var s = settings.Current;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "log_info":
                    case "log_warning":
                    case "log_error":
                        if (p.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                        {
                            return (null, $"'{p.Name}' must be true or false, got {p.Value.GetRawText()}");
                        }

                        var on = p.Value.GetBoolean();
                        s = p.Name switch
                        {
                            "log_info" => s with { Info = on },
                            "log_warning" => s with { Warning = on },
                            _ => s with { Error = on },
                        };
                        break;
                    case "log_verbose_level":
                        if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out var level) || level < 0)
                        {
                            return (null, $"'log_verbose_level' must be a non-negative integer, got {p.Value.GetRawText()}");
                        }

                        s = s with { VerboseLevel = level };
                        break;
                    case "log_file":
                        if (p.Value.ValueKind != JsonValueKind.String || p.Value.GetString()!.Length != 0)
                        {
                            return (null, "'log_file' cannot be changed: Turbine logs to the console (stdout) only");
                        }

                        break;
                    case "log_format":
                        if (p.Value.ValueKind != JsonValueKind.String || p.Value.GetString() != FormatName(settings.Format))
                        {
                            return (null, $"'log_format' cannot be changed at run time (it is '{FormatName(settings.Format)}'; set it with --log-format)");
                        }

                        break;
                    default:
                        return (null, $"unknown logging setting '{p.Name}'; expected log_file, log_info, log_warning, log_error, log_verbose_level or log_format");
                }
            }

            return (s, null);
        }
    }

    internal static string FormatName(LogFormat format) => format == LogFormat.Json ? "json" : "text";

    private static void Write(System.Text.Json.Utf8JsonWriter w, LogSettings settings)
    {
        var s = settings.Current;
        w.WriteStartObject();
        w.WriteString("log_file", "");
        w.WriteBoolean("log_info", s.Info);
        w.WriteBoolean("log_warning", s.Warning);
        w.WriteBoolean("log_error", s.Error);
        w.WriteNumber("log_verbose_level", s.VerboseLevel);
        w.WriteString("log_format", FormatName(settings.Format));
        w.WriteEndObject();
    }
}
