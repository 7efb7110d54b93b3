using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Turbine.Client.Internal;

/// <summary>Parses an inference response body: a JSON header, optionally followed by binary output sections.</summary>
internal static class InferResponseReader
{
    /// <param name="body">The whole (decompressed) body.</param>
    /// <param name="headerLength">Value of Inference-Header-Content-Length, or null when the body is all JSON.</param>
    /// <param name="statusCode">HTTP status, for error messages.</param>
    public static InferResult Parse(ReadOnlyMemory<byte> body, int? headerLength, int statusCode)
    {
        var jsonLength = headerLength ?? body.Length;
        if (jsonLength < 0 || jsonLength > body.Length)
        {
            throw new TurbineClientException(statusCode,
                $"response Inference-Header-Content-Length is {jsonLength} but the body has only {body.Length} bytes");
        }

        var binary = body[jsonLength..];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body[..jsonLength]);
        }
        catch (JsonException ex)
        {
            throw new TurbineClientException(statusCode, $"response is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TurbineClientException(statusCode, "response JSON is not an object");
            }

            var modelName = GetString(root, "model_name") ?? string.Empty;
            var modelVersion = GetString(root, "model_version") ?? string.Empty;
            var id = GetString(root, "id");
            JsonElement? parameters = root.TryGetProperty("parameters"u8, out var p) && p.ValueKind == JsonValueKind.Object
                ? p.Clone()
                : null;

            var outputs = new List<InferOutput>();
            if (root.TryGetProperty("outputs"u8, out var outs) && outs.ValueKind == JsonValueKind.Array)
            {
                var offset = 0;
                foreach (var output in outs.EnumerateArray())
                {
                    outputs.Add(ReadOutput(output, binary, ref offset, statusCode));
                }
            }

            return new InferResult(modelName, modelVersion, id, parameters, outputs);
        }
    }

    private static InferOutput ReadOutput(JsonElement output, ReadOnlyMemory<byte> binary, ref int offset, int statusCode)
    {
        var name = GetString(output, "name") ?? throw new TurbineClientException(statusCode, "response output has no name");
        var datatype = GetString(output, "datatype")
            ?? throw new TurbineClientException(statusCode, $"response output '{name}' has no datatype");
        var shape = ReadShape(output, name, statusCode);

        if (output.TryGetProperty("parameters"u8, out var parameters) && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("binary_data_size"u8, out var sizeElement))
        {
            if (!sizeElement.TryGetInt32(out var size) || size < 0)
            {
                throw new TurbineClientException(statusCode, $"response output '{name}' has an invalid binary_data_size {sizeElement.GetRawText()}");
            }

            if (size > binary.Length - offset)
            {
                throw new TurbineClientException(statusCode,
                    $"response output '{name}' declares binary_data_size {size} but only {binary.Length - offset} binary bytes remain");
            }

            var raw = binary.Slice(offset, size);
            offset += size;
            return new InferOutput(name, shape, datatype, raw);
        }

        if (output.TryGetProperty("data"u8, out var data))
        {
            try
            {
                return new InferOutput(name, shape, datatype, JsonTensorData.ToRaw(data, datatype, TensorShapes.ElementCount(shape)));
            }
            catch (FormatException ex)
            {
                throw new TurbineClientException(statusCode, $"response output '{name}': {ex.Message}", ex);
            }
        }

        return new InferOutput(name, shape, datatype, ReadOnlyMemory<byte>.Empty);
    }

    private static long[] ReadShape(JsonElement output, string name, int statusCode)
    {
        if (!output.TryGetProperty("shape"u8, out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw new TurbineClientException(statusCode, $"response output '{name}' has no shape");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (!dim.TryGetInt64(out shape[i++]))
            {
                throw new TurbineClientException(statusCode, $"response output '{name}' has a non-integer dim {dim.GetRawText()}");
            }
        }

        return shape;
    }

    internal static string? GetString(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }
}
