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

            var changes = doc.RootElement.EnumerateObject().Select(p => (p.Name, ToValue(p.Value))).ToList();
            return LogSettingsUpdate.Apply(changes, settings);
        }
    }

    private static LogSettingsUpdate.Value ToValue(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => new(LogSettingsUpdate.Kind.Bool, e.GetBoolean(), 0, null, e.GetRawText()),
        JsonValueKind.Number when e.TryGetInt64(out var n) => new(LogSettingsUpdate.Kind.Integer, false, n, null, e.GetRawText()),
        JsonValueKind.String => new(LogSettingsUpdate.Kind.String, false, 0, e.GetString(), e.GetRawText()),
        _ => new(LogSettingsUpdate.Kind.Other, false, 0, null, e.GetRawText()),
    };

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
