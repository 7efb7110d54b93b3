using System.Runtime.InteropServices;
using System.Text.Json;
using Turbine.Core;
using Turbine.Core.Repository;

namespace Turbine.Server.Http;

/// <summary>
/// The body of <c>POST /v2/repository/models/NAME/load</c> (and <c>/unload</c>): <c>{"parameters": {...}}</c> with
/// <c>config</c> (a JSON model configuration, as a string or an object) and Triton's <c>file:PATH</c> overrides (base64
/// strings) for a load, <c>unload_dependents</c> (bool) for an unload. Parsed over the request buffer without copying it.
/// </summary>
internal static class RepositoryLoadRequest
{
    public static Result<(string? Config, List<ModelFileOverride> Files)> Parse(ReadOnlyMemory<byte> body, string model, bool load, long maxFileBytes)
    {
        var files = new List<ModelFileOverride>();
        string? config = null;
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Result<(string?, List<ModelFileOverride>)>.Ok((config, files));
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return InferenceError.InvalidArgument($"malformed JSON body: {e.Message}");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return InferenceError.InvalidArgument("request body must be a JSON object");
            }

            if (!root.TryGetProperty("parameters", out var parameters))
            {
                return Result<(string?, List<ModelFileOverride>)>.Ok((config, files));
            }

            if (parameters.ValueKind != JsonValueKind.Object)
            {
                return InferenceError.InvalidArgument("'parameters' must be a JSON object");
            }

            foreach (var p in parameters.EnumerateObject())
            {
                if (load && p.Name == "config" && p.Value.ValueKind == JsonValueKind.String)
                {
                    config = p.Value.GetString();
                }
                else if (load && p.Name == "config" && p.Value.ValueKind == JsonValueKind.Object)
                {
                    config = p.Value.GetRawText();
                }
                else if (!load && p.Name == "unload_dependents" && p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    // Read by UnloadDependents once the body is known to be valid.
                }
                else if (load && p.Name.StartsWith("file:", StringComparison.Ordinal))
                {
                    var file = ReadFile(p, model, maxFileBytes, files.Count);
                    if (!file.IsOk)
                    {
                        return file.Error;
                    }

                    files.Add(file.Value);
                }
                else
                {
                    return InferenceError.InvalidArgument(
                        $"{(load ? "load" : "unload")} parameter '{p.Name}' is not recognised or has the wrong type{(load ? " ('config' takes a JSON model configuration as a string, 'file:PATH' the file's bytes in base64)" : " ('unload_dependents' takes a bool)")}");
                }
            }
        }

        return Result<(string?, List<ModelFileOverride>)>.Ok((config, files));
    }

    /// <summary>The <c>unload_dependents</c> flag of a body <see cref="Parse"/> accepted for an unload (false when absent).</summary>
    public static bool UnloadDependents(ReadOnlyMemory<byte> body)
    {
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            return false;
        }

        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.TryGetProperty("parameters", out var parameters) &&
            parameters.TryGetProperty("unload_dependents", out var flag) && flag.ValueKind == JsonValueKind.True;
    }

    /// <summary>One <c>file:PATH</c> parameter: its size is bounded from the encoded length before any byte is decoded.</summary>
    private static Result<ModelFileOverride> ReadFile(JsonProperty p, string model, long maxFileBytes, int filesSoFar)
    {
        if (filesSoFar >= ModelFileOverride.MaxFiles)
        {
            return ModelFileOverride.PollFailure(model, $"more than {ModelFileOverride.MaxFiles} file overrides in one load");
        }

        if (p.Value.ValueKind != JsonValueKind.String)
        {
            return ModelFileOverride.PollFailure(model, $"load parameter '{p.Name}' must be a string holding the file's bytes in base64, got {p.Value.ValueKind.ToString().ToLowerInvariant()}");
        }

        // The raw JSON string (escapes included) is at least as long as the base64 text: 3 bytes per 4 characters.
        var encodedLength = JsonMarshal.GetRawUtf8Value(p.Value).Length - 2;
        if (encodedLength / 4 * 3 > maxFileBytes)
        {
            return ModelFileOverride.PollFailure(model, $"load parameter '{p.Name}' holds more than the limit of {maxFileBytes} bytes (--max-model-file-bytes)");
        }

        if (!p.Value.TryGetBytesFromBase64(out var bytes))
        {
            return ModelFileOverride.PollFailure(model, $"load parameter '{p.Name}' is not valid base64 (REST carries file contents base64-encoded)");
        }

        return Result<ModelFileOverride>.Ok(new ModelFileOverride(p.Name["file:".Length..], bytes));
    }
}
