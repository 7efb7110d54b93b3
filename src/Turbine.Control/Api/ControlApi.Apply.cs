using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Turbine.Control.Specs;
using Turbine.Control.Storage;

namespace Turbine.Control.Api;

internal sealed partial class ControlApi
{
    private static readonly string[] SpecMediaTypes = ["application/yaml", "text/yaml", "application/x-yaml", "text/x-yaml", "application/json"];

    /// <summary>
    /// PUT (with <paramref name="pathName"/>) or POST: bounded body → parse → every diagnostic (422, nothing stored) →
    /// store → nudge the reconciler → event. A refused spec never touches the running deployment.
    /// </summary>
    private async Task<IResult> ApplyAsync(string? pathName, HttpContext context)
    {
        if (pathName is not null && Check(pathName, context) is { } refused)
        {
            return refused;
        }

        var mediaType = MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var parsed) ? parsed.MediaType.Value : null;
        if (mediaType is null || !SpecMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            return ControlHttp.Error(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                $"send the InferenceService as application/yaml or text/yaml (JSON is YAML too: application/json), not '{Shorten(context.Request.ContentType ?? "none")}'");
        }

        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body.Error is { } tooLarge)
        {
            return tooLarge;
        }

        string yaml;
        try
        {
            yaml = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.Bytes!);
        }
        catch (DecoderFallbackException)
        {
            return ControlHttp.Error(StatusCodes.Status400BadRequest, "invalid_encoding", "the spec is not valid UTF-8 text");
        }

        var result = InferenceServiceParser.Parse(yaml, pathName ?? "request");
        var warnings = result.Warnings.Select(SpecDiagnosticResponse.From).ToArray();
        if (!result.Succeeded)
        {
            var errors = result.Errors.Select(SpecDiagnosticResponse.From).ToArray();
            return ControlHttp.Error(StatusCodes.Status422UnprocessableEntity, "invalid_spec",
                $"the InferenceService has {errors.Length} error(s); nothing was applied: " + string.Join("; ", result.Errors.Take(5)),
                errors);
        }

        var spec = result.Spec!;
        if (pathName is not null && !string.Equals(spec.Name, pathName, StringComparison.Ordinal))
        {
            return ControlHttp.Error(StatusCodes.Status400BadRequest, "name_mismatch",
                $"metadata.name is '{spec.Name}' but the URL names '{pathName}'; they must be equal");
        }

        var name = spec.Name;
        if (pathName is null && Check(name, context) is { } refusedName)
        {
            return refusedName;
        }

        var before = await store.GetAsync(name, context.RequestAborted).ConfigureAwait(false);
        var applied = await store.ApplyAsync(name, yaml, spec, context.RequestAborted).ConfigureAwait(false);
        if (!applied.IsOk)
        {
            return ControlHttp.Error(applied.Error!);
        }

        var record = applied.Value!;
        var outcome = !before.IsOk ? "created"
            : before.Value!.Generation == record.Generation ? "unchanged"
            : "configured";
        controller.Trigger(name);
        var caller = context.GetCaller().Name;
        var message = outcome == "unchanged"
            ? $"'{caller}' applied the same spec again; generation {record.Generation} stays"
            : $"'{caller}' applied generation {record.Generation}" + (warnings.Length > 0 ? $" ({warnings.Length} field(s) ignored on this runtime)" : "");
        await store.AppendEventAsync(name, ControlEventKind.Normal, outcome == "unchanged" ? "Unchanged" : "Applied", message, context.RequestAborted).ConfigureAwait(false);
        ControlLog.Applied(logger, name, outcome, record.Generation, caller);
        return ControlHttp.Json(new ApplyResponse(name, record.Generation, outcome, warnings),
            outcome == "created" ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private async Task<(byte[]? Bytes, IResult? Error)> ReadBodyAsync(HttpContext context)
    {
        var limit = options.MaxSpecBytes;
        if (context.Request.ContentLength is { } length && length > limit)
        {
            return (null, TooLarge(length));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return (null, TooLarge(buffer.Length + read));
            }

            buffer.Write(chunk.AsSpan(0, read));
        }

        return (buffer.ToArray(), null);

        IResult TooLarge(long size) => ControlHttp.Error(StatusCodes.Status413PayloadTooLarge, "too_large",
            $"the spec has {size} bytes or more; the limit is {limit} bytes");
    }
}
