using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Core;
using Turbine.Server.Http;

namespace Turbine.Server.Telemetry;

/// <summary>
/// Triton's trace extension over REST: <c>GET|POST /v2[/models/{model}]/trace/setting</c>. GET answers the
/// (effective) settings; POST changes the named ones (string values, <c>trace_level</c> an array of strings, null
/// clears a model's own value) and answers the settings after the change. A bad setting is a 400 naming it and
/// changes nothing. Management operations, like <c>/v2/logging</c>.
/// </summary>
internal static class TraceSettingsEndpoint
{
    private const long MaxBodyBytes = 64 * 1024;

    public static async Task HandleAsync(HttpContext ctx, InferenceEngine engine, TraceSettings settings, bool post)
    {
        var model = ctx.GetRouteValue("model") as string;
        if (model is not null && CheckModel(engine, model) is { } missing)
        {
            await HttpErrors.WriteAsync(ctx, missing).ConfigureAwait(false);
            return;
        }

        if (post)
        {
            var read = await RequestBody.ReadAsync(ctx.Request, MaxBodyBytes, "the trace setting body limit",
                ctx.RequestServices.GetRequiredService<RequestBodyBudget>(), ctx.RequestAborted).ConfigureAwait(false);
            if (!read.IsOk)
            {
                await HttpErrors.WriteAsync(ctx, RequestBody.HttpStatus(read.Error), read.Error.Message).ConfigureAwait(false);
                return;
            }

            InferenceError? error;
            using (var body = read.Value)
            {
                var changes = Parse(body.Memory);
                error = changes.IsOk ? settings.Update(model, changes.Value) : changes.Error;
            }

            if (error is not null)
            {
                await HttpErrors.WriteAsync(ctx, error).ConfigureAwait(false);
                return;
            }
        }

        await JsonResults.WriteAsync(ctx, w =>
        {
            w.WriteStartObject();
            foreach (var (name, values) in settings.Get(model))
            {
                if (name == TraceSettings.Level)
                {
                    w.WriteStartArray(name);
                    foreach (var v in values)
                    {
                        w.WriteStringValue(v);
                    }

                    w.WriteEndArray();
                }
                else
                {
                    w.WriteString(name, values[0]);
                }
            }

            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>Triton's answer for a model that is unknown or not ready (trace settings exist only for ready models), or null.</summary>
    internal static InferenceError? CheckModel(InferenceEngine engine, string model)
    {
        var readiness = engine.GetModelReadiness(model, null);
        return !readiness.IsOk ? readiness.Error
            : !readiness.Value ? InferenceError.InvalidArgument($"Request for unknown model : {model}")
            : null;
    }

    private static Result<List<(string, IReadOnlyList<string>?)>> Parse(ReadOnlyMemory<byte> json)
    {
        if (json.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Result<List<(string, IReadOnlyList<string>?)>>.Ok([]);
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return InferenceError.InvalidArgument($"trace settings must be a JSON object, got {doc.RootElement.ValueKind}");
            }

            var changes = new List<(string, IReadOnlyList<string>?)>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                IReadOnlyList<string>? values;
                switch (p.Value.ValueKind)
                {
                    case JsonValueKind.Null:
                        values = null;
                        break;
                    case JsonValueKind.String:
                        values = [p.Value.GetString()!];
                        break;
                    case JsonValueKind.Number:
                        values = [p.Value.GetRawText()];
                        break;
                    case JsonValueKind.Array when p.Value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                        values = p.Value.EnumerateArray().Select(e => e.GetString()!).ToList();
                        if (values.Count == 0)
                        {
                            return InferenceError.InvalidArgument($"trace setting '{p.Name}' needs a value (null clears it)");
                        }

                        break;
                    default:
                        return InferenceError.InvalidArgument(
                            $"trace setting '{p.Name}' must be a string, an array of strings or null, got {p.Value.GetRawText()}");
                }

                changes.Add((p.Name, values));
            }

            return Result<List<(string, IReadOnlyList<string>?)>>.Ok(changes);
        }
        catch (JsonException e)
        {
            return InferenceError.InvalidArgument($"trace settings must be a JSON object: {e.Message}");
        }
    }
}
