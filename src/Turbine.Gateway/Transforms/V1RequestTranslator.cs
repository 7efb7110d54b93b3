using System.Buffers;
using System.Text.Json;
using Turbine.Client;

namespace Turbine.Gateway.Transforms;

/// <summary>
/// KServe v1 predict body → Open Inference Protocol v2 infer body. <c>{"instances": [...]}</c> (or <c>"inputs"</c>,
/// which KServe treats the same) holds one entry per row: the row's tensor for a single-input model, or an object
/// keyed by input name. Each input's shape is the rows' common nesting shape with the batch (number of
/// instances) in front; its datatype comes from the model's metadata.
/// <para>
/// Binary values are <c>{"b64": "..."}</c> (TensorFlow Serving's and KServe's convention): allowed only for BYTES
/// inputs, decoded by the gateway and sent with the binary tensor data extension (the input's elements after the
/// JSON header, <c>binary_data_size</c>), so bytes that are not text reach the server exactly. Plain strings of the
/// same input travel the same way, as their UTF-8 bytes.
/// </para>
/// </summary>
internal static class V1RequestTranslator
{
    /// <summary>
    /// The v2 body, the length of its JSON header when binary data follows it (null: the body is JSON only), and the
    /// number of instances (the batch the response is split back into).
    /// </summary>
    /// <param name="root">The v1 request body.</param>
    /// <param name="model">The model's metadata: its inputs name and shape the v2 tensors.</param>
    /// <param name="maxBinaryBytes">Most decoded bytes the body may carry; checked before each value is decoded.</param>
    /// <returns>A 400 or 413 <see cref="V1Error"/> instead when the body is not a v1 predict request for this model.</returns>
    public static V1Result<(byte[] Body, int? HeaderLength, int Instances)> Translate(JsonElement root, ModelMetadataResult model, long maxBinaryBytes = long.MaxValue)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new V1Error(400, "expected a JSON object {\"instances\": [...]}");
        }

        JsonElement instances = default;
        var found = false;
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is "instances" or "inputs")
            {
                if (found)
                {
                    return new V1Error(400, "send either 'instances' or 'inputs', not both");
                }

                instances = property.Value;
                found = true;
            }
        }

        if (!found)
        {
            return new V1Error(400, "missing 'instances': expected {\"instances\": [...]} with one entry per prediction");
        }

        if (instances.ValueKind != JsonValueKind.Array)
        {
            return new V1Error(400, $"'instances' must be an array with one entry per prediction, got {Kind(instances)}");
        }

        var count = instances.GetArrayLength();
        if (count == 0)
        {
            return new V1Error(400, "'instances' is empty: nothing to predict");
        }

        if (model.Inputs.Count == 0)
        {
            return new V1Error(400, $"model '{model.Name}' has no inputs");
        }

        var split = SplitByInput(instances, model);
        if (!split.IsOk)
        {
            return split.Error;
        }

        var rows = split.Value;
        var buffer = new ArrayBufferWriter<byte>();
        var binary = new V1BinaryValues(maxBinaryBytes);
        using (var writer = new Utf8JsonWriter(buffer, EdgeErrors.Relaxed))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs");
            foreach (var input in model.Inputs)
            {
                if (WriteInput(writer, input, rows[input.Name], count, binary) is { } error)
                {
                    return error;
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        if (binary.Written == 0 && !binary.Used)
        {
            return (buffer.WrittenSpan.ToArray(), null, count);
        }

        var body = new byte[buffer.WrittenCount + binary.Written];
        buffer.WrittenSpan.CopyTo(body);
        binary.Buffer.WrittenSpan.CopyTo(body.AsSpan(buffer.WrittenCount));
        return (body, buffer.WrittenCount, count);
    }

    /// <summary>
    /// <c>{"b64": "..."}</c>: an object whose only member is <c>b64</c>. A value, not an instance keyed by input name.
    /// </summary>
    internal static bool IsB64(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var members = 0;
        var b64 = false;
        foreach (var property in element.EnumerateObject())
        {
            members++;
            b64 = property.NameEquals("b64"u8);
        }

        return members == 1 && b64;
    }

    /// <summary>The rows of each input: the instance itself for one input, or the instance's named fields.</summary>
    private static V1Result<Dictionary<string, JsonElement[]>> SplitByInput(JsonElement instances, ModelMetadataResult model)
    {
        var count = instances.GetArrayLength();
        var named = instances[0].ValueKind == JsonValueKind.Object && !IsB64(instances[0]);
        var rows = model.Inputs.ToDictionary(i => i.Name, _ => new JsonElement[count], StringComparer.Ordinal);
        if (!named)
        {
            if (model.Inputs.Count > 1)
            {
                return new V1Error(400,
                    $"model '{model.Name}' has {model.Inputs.Count} inputs ({string.Join(", ", model.Inputs.Select(i => i.Name))}): " +
                    "each instance must be an object keyed by input name");
            }

            var index = 0;
            foreach (var instance in instances.EnumerateArray())
            {
                if (instance.ValueKind == JsonValueKind.Object && !IsB64(instance))
                {
                    return new V1Error(400, "instances mix objects and plain values; use one form for all");
                }

                rows[model.Inputs[0].Name][index++] = instance;
            }

            return rows;
        }

        var i = 0;
        foreach (var instance in instances.EnumerateArray())
        {
            if (instance.ValueKind != JsonValueKind.Object || IsB64(instance))
            {
                return new V1Error(400, "instances mix objects and plain values; use one form for all");
            }

            foreach (var field in instance.EnumerateObject())
            {
                if (!rows.TryGetValue(field.Name, out var column))
                {
                    return new V1Error(400,
                        $"instance {i}: unknown input '{field.Name}'; model '{model.Name}' has inputs {string.Join(", ", model.Inputs.Select(x => x.Name))}");
                }

                column[i] = field.Value;
            }

            foreach (var input in model.Inputs)
            {
                if (rows[input.Name][i].ValueKind == JsonValueKind.Undefined)
                {
                    return new V1Error(400, $"instance {i}: missing input '{input.Name}'");
                }
            }

            i++;
        }

        return rows;
    }

    private static V1Error? WriteInput(Utf8JsonWriter writer, TensorMetadataResult input, JsonElement[] rows, int count, V1BinaryValues binary)
    {
        var asBinary = rows.Any(ContainsB64);
        if (asBinary && input.Datatype != "BYTES")
        {
            return new V1Error(400, $"input '{input.Name}': {{\"b64\": ...}} values are for BYTES inputs, but the model's input is {input.Datatype}");
        }

        var rowShape = new List<long>();
        ShapeOf(rows[0], rowShape);
        writer.WriteStartObject();
        writer.WriteString("name", input.Name);
        writer.WriteStartArray("shape");

        // A model without a batch dimension (its rank equals the row's) takes a single instance as the whole tensor.
        var batched = !(input.Shape.Length == rowShape.Count && count == 1 && (input.Shape.Length == 0 || input.Shape[0] != -1));
        if (batched)
        {
            writer.WriteNumberValue(count);
        }

        foreach (var dim in rowShape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
        writer.WriteString("datatype", input.Datatype);
        var start = binary.Written;
        if (!asBinary)
        {
            writer.WriteStartArray("data");
        }

        for (var i = 0; i < rows.Length; i++)
        {
            var shape = new List<long>();
            ShapeOf(rows[i], shape);
            if (!shape.SequenceEqual(rowShape))
            {
                return new V1Error(400,
                    $"input '{input.Name}': instance {i} has shape [{string.Join(",", shape)}] but instance 0 has [{string.Join(",", rowShape)}]; all instances must have the same shape");
            }

            if (WriteFlat(asBinary ? null : writer, asBinary ? binary : null, rows[i], input.Name, i) is { } error)
            {
                return error;
            }
        }

        if (asBinary)
        {
            binary.Used = true;
            writer.WriteStartObject("parameters");
            writer.WriteNumber("binary_data_size", binary.Written - start);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        return null;
    }

    private static bool ContainsB64(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.EnumerateArray().Any(ContainsB64),
        JsonValueKind.Object => IsB64(value),
        _ => false,
    };

    /// <summary>The nesting shape of a value: lengths of the first array at each depth.</summary>
    private static void ShapeOf(JsonElement value, List<long> shape)
    {
        while (value.ValueKind == JsonValueKind.Array)
        {
            var length = value.GetArrayLength();
            shape.Add(length);
            if (length == 0)
            {
                return;
            }

            value = value[0];
        }
    }

    /// <summary>Writes the scalars of a rectangular nested array in row-major order, checking it is rectangular; the first problem found otherwise.</summary>
    private static V1Error? WriteFlat(Utf8JsonWriter? writer, V1BinaryValues? binary, JsonElement value, string input, int instance)
    {
        var shape = new List<long>();
        ShapeOf(value, shape);
        return Walk(value, 0);

        V1Error? Walk(JsonElement element, int depth)
        {
            if (depth < shape.Count)
            {
                if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != shape[depth])
                {
                    return new V1Error(400, $"input '{input}': instance {instance} is not a rectangular array (ragged at depth {depth})");
                }

                foreach (var item in element.EnumerateArray())
                {
                    if (Walk(item, depth + 1) is { } error)
                    {
                        return error;
                    }
                }

                return null;
            }

            if (binary is not null)
            {
                return binary.Append(element, input, instance);
            }

            if (element.ValueKind is JsonValueKind.Array or JsonValueKind.Object or JsonValueKind.Null)
            {
                return new V1Error(400, $"input '{input}': instance {instance} has {Kind(element)} where a value was expected");
            }

            element.WriteTo(writer!);
            return null;
        }
    }

    internal static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
