using System.Text.Json;
using Turbine.Core;
using Turbine.Core.Tensors;

namespace Turbine.Server.Http;

internal static partial class InferRequestReader
{
    private static InferenceError? ParseHeader(
        ReadOnlySpan<byte> json,
        InferenceRequest request,
        out List<(int Input, long Size)> binarySizes,
        out Dictionary<int, (int Start, int Length)> dataRanges)
    {
        binarySizes = [];
        dataRanges = [];
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return InferenceError.InvalidArgument("malformed inference request: the JSON body must be an object");
            }

            var sawInputs = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = JsonNames.Get(ref reader);
                reader.Read();
                InferenceError? error = property switch
                {
                    "id" => ReadId(ref reader, request),
                    "parameters" => ReadParameters(ref reader, Label.Request, out var p) ?? Assign(request, p),
                    "inputs" => ReadInputs(ref reader, request, binarySizes, dataRanges),
                    "outputs" => ReadOutputs(ref reader, request),
                    _ => InferenceError.InvalidArgument(
                        $"malformed inference request: unexpected field '{property}'; expected id, parameters, inputs, outputs"),
                };
                if (error is not null)
                {
                    return error;
                }

                sawInputs |= property == "inputs";
            }

            if (!sawInputs)
            {
                return InferenceError.InvalidArgument("malformed inference request: missing field 'inputs'");
            }

            if (reader.Read())
            {
                return InferenceError.InvalidArgument("malformed inference request: unexpected content after the JSON object");
            }

            return null;
        }
        catch (JsonException e)
        {
            return InferenceError.InvalidArgument($"malformed inference request JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            return InferenceError.InvalidArgument($"malformed inference request JSON: {e.Message}");
        }
    }

    private static InferenceError? Assign(InferenceRequest request, Dictionary<string, InferParameter>? parameters)
    {
        request.Parameters = parameters;
        return null;
    }

    private static InferenceError? ReadId(ref Utf8JsonReader reader, InferenceRequest request)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return InferenceError.InvalidArgument($"field 'id' must be a string, got a JSON {reader.TokenType}");
        }

        request.Id = reader.GetString()!;
        return null;
    }

    private static InferenceError? ReadParameters(ref Utf8JsonReader reader, Label owner, out Dictionary<string, InferParameter>? parameters)
    {
        parameters = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return InferenceError.InvalidArgument($"{owner} 'parameters' must be a JSON object, got {reader.TokenType}");
        }

        parameters = new Dictionary<string, InferParameter>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = JsonNames.Get(ref reader);
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.True:
                case JsonTokenType.False:
                    parameters[name] = InferParameter.FromBool(reader.GetBoolean());
                    break;
                case JsonTokenType.String:
                    parameters[name] = InferParameter.FromString(reader.GetString()!);
                    break;
                case JsonTokenType.Number:
                    if (reader.TryGetInt64(out var l))
                    {
                        parameters[name] = InferParameter.FromInt64(l);
                    }
                    else if (reader.TryGetUInt64(out var u))
                    {
                        parameters[name] = InferParameter.FromUInt64(u);
                    }
                    else
                    {
                        parameters[name] = InferParameter.FromDouble(reader.GetDouble());
                    }

                    break;
                default:
                    return InferenceError.InvalidArgument(
                        $"{owner} parameter '{name}' must be a bool, number or string, got a JSON {reader.TokenType}");
            }
        }

        return null;
    }

    private static InferenceError? ReadInputs(
        ref Utf8JsonReader reader,
        InferenceRequest request,
        List<(int Input, long Size)> binarySizes,
        Dictionary<int, (int Start, int Length)> dataRanges)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return InferenceError.InvalidArgument($"field 'inputs' must be an array, got a JSON {reader.TokenType}");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var index = request.Inputs.Count;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return InferenceError.InvalidArgument($"inputs[{index}] must be an object, got a JSON {reader.TokenType}");
            }

            string? name = null;
            string? datatype = null;
            long[]? shape = null;
            Dictionary<string, InferParameter>? parameters = null;
            (int Start, int Length)? data = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = JsonNames.Get(ref reader);
                reader.Read();
                var label = new Label(index, name);
                switch (property)
                {
                    case "name" when reader.TokenType == JsonTokenType.String:
                        name = reader.GetString();
                        break;
                    case "datatype" when reader.TokenType == JsonTokenType.String:
                        datatype = JsonNames.Get(ref reader);
                        break;
                    case "shape":
                        var shapeError = ReadShape(ref reader, label, out shape);
                        if (shapeError is not null)
                        {
                            return shapeError;
                        }

                        break;
                    case "parameters":
                        var pError = ReadParameters(ref reader, label, out parameters);
                        if (pError is not null)
                        {
                            return pError;
                        }

                        break;
                    case "data":
                        if (reader.TokenType != JsonTokenType.StartArray)
                        {
                            return InferenceError.InvalidArgument($"{label}: 'data' must be an array, got a JSON {reader.TokenType}");
                        }

                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        data = (start, (int)reader.BytesConsumed - start);
                        break;
                    case "name" or "datatype":
                        return InferenceError.InvalidArgument($"{label}: '{property}' must be a string, got a JSON {reader.TokenType}");
                    default:
                        return InferenceError.InvalidArgument(
                            $"{label}: unexpected field '{property}'; expected name, shape, datatype, parameters, data");
                }
            }

            if (name is null || datatype is null || shape is null)
            {
                var missing = name is null ? "name" : datatype is null ? "datatype" : "shape";
                return InferenceError.InvalidArgument($"{(name is null ? $"inputs[{index}]" : $"input '{name}'")}: missing field '{missing}'");
            }

            if (!TensorDataTypes.TryParseWireName(datatype, out var type))
            {
                return InferenceError.InvalidArgument(
                    $"input '{name}': unknown datatype '{datatype}'; expected one of {string.Join(", ", TensorDataTypes.All().Select(t => t.ToWireName()))}");
            }

            if (parameters is not null && parameters.TryGetValue("binary_data_size", out var sizeParameter))
            {
                if (!sizeParameter.TryGetInt64(out var size) || size < 0)
                {
                    return InferenceError.InvalidArgument($"input '{name}': binary_data_size must be a non-negative integer, got {sizeParameter}");
                }

                if (data is not null)
                {
                    return InferenceError.InvalidArgument($"input '{name}' has both 'data' and binary_data_size; send one");
                }

                binarySizes.Add((index, size));
            }
            else if (data is { } range)
            {
                dataRanges[index] = range;
            }

            request.Inputs.Add(new InferenceTensor(name, type, shape, ReadOnlyMemory<byte>.Empty) { Parameters = parameters });
        }

        return null;
    }

    private static InferenceError? ReadShape(ref Utf8JsonReader reader, Label label, out long[]? shape)
    {
        shape = null;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return InferenceError.InvalidArgument($"{label}: 'shape' must be an array of integers, got a JSON {reader.TokenType}");
        }

        var dims = new List<long>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var d) || d < 0)
            {
                return InferenceError.InvalidArgument($"{label}: 'shape' must hold non-negative integers");
            }

            dims.Add(d);
        }

        shape = [.. dims];
        return null;
    }

    private static InferenceError? ReadOutputs(ref Utf8JsonReader reader, InferenceRequest request)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return InferenceError.InvalidArgument($"field 'outputs' must be an array, got a JSON {reader.TokenType}");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var index = request.Outputs.Count;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return InferenceError.InvalidArgument($"outputs[{index}] must be an object, got a JSON {reader.TokenType}");
            }

            string? name = null;
            Dictionary<string, InferParameter>? parameters = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = JsonNames.Get(ref reader);
                reader.Read();
                if (property == "name" && reader.TokenType == JsonTokenType.String)
                {
                    name = reader.GetString();
                }
                else if (property == "parameters")
                {
                    var error = ReadParameters(ref reader, Label.Output(index), out parameters);
                    if (error is not null)
                    {
                        return error;
                    }
                }
                else
                {
                    return InferenceError.InvalidArgument(
                        $"outputs[{index}]: unexpected field '{property}' (or wrong type); expected name (string), parameters (object)");
                }
            }

            if (name is null)
            {
                return InferenceError.InvalidArgument($"outputs[{index}]: missing field 'name'");
            }

            request.Outputs.Add(new RequestedOutput(name, parameters));
        }

        return null;
    }

    /// <summary>
    /// Names what an error is about ("request", "inputs[0]", "input 'x'", "outputs[0]") only when an error is
    /// written, so a well-formed request allocates no label strings.
    /// </summary>
    private readonly struct Label(int index, string? name, string kind = "inputs")
    {
        public static Label Request => new(-1, null, "request");

        public static Label Output(int index) => new(index, null, "outputs");

        public override string ToString() => kind switch
        {
            "request" => "request",
            "inputs" when name is not null => $"input '{name}'",
            _ => $"{kind}[{index}]",
        };
    }
}
