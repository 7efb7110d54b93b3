using System.Text.Json;
using Turbine.Core;
using Turbine.Core.Tensors;

namespace Turbine.Server.Http;

internal static partial class InferRequestReader
{
    private static InferenceError? ParseHeader(
        ReadOnlySpan<byte> json,
        InferenceRequest request,
        List<(int Input, long Size)> binarySizes,
        List<PendingInput> inputs,
        out Dictionary<int, (int Start, int Length)>? dataRanges)
    {
        dataRanges = null; // made on the first JSON 'data' (a binary request never needs it)
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
                InferenceError? error;
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    error = ReadId(ref reader, request);
                }
                else if (reader.ValueTextEquals("parameters"u8))
                {
                    reader.Read();
                    bool? binaryOutput = null;
                    error = ReadParameters(ref reader, "request", BinaryDataOutputFlag, ref binaryOutput, out var p) ?? Assign(request, p, binaryOutput);
                }
                else if (reader.ValueTextEquals("inputs"u8))
                {
                    reader.Read();
                    error = ReadInputs(ref reader, inputs, binarySizes, ref dataRanges);
                    sawInputs = true;
                }
                else if (reader.ValueTextEquals("outputs"u8))
                {
                    reader.Read();
                    error = ReadOutputs(ref reader, request);
                }
                else
                {
                    error = InferenceError.InvalidArgument(
                        $"malformed inference request: unexpected field '{reader.GetString()}'; expected id, parameters, inputs, outputs");
                }

                if (error is not null)
                {
                    return error;
                }
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

    /// <summary>The REST request's transport flag for every output's form (binary tensor data extension).</summary>
    private const string BinaryDataOutputFlag = "binary_data_output";

    /// <summary>A requested output's transport flag for its own form.</summary>
    private const string BinaryDataFlag = "binary_data";

    private static InferenceError? Assign(InferenceRequest request, Dictionary<string, InferParameter>? parameters, bool? binaryDataOutput)
    {
        request.Parameters = parameters;
        request.BinaryDataOutput = binaryDataOutput;
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

    /// <summary>
    /// Reads a request's or an output's parameters. The binary tensor data extension's transport flag
    /// (<paramref name="flagName"/>: <c>binary_data_output</c> or <c>binary_data</c>) is read into <paramref name="flag"/>
    /// when it is a bool, so the common binary request makes no dictionary; any other value of it stays in the
    /// dictionary, where the validator refuses it with the message it always had. The last occurrence of a name wins,
    /// as it did in the dictionary. The dictionary is made on the first other parameter (null when there is none).
    /// </summary>
    private static InferenceError? ReadParameters(ref Utf8JsonReader reader, string owner, string flagName, ref bool? flag,
        out Dictionary<string, InferParameter>? parameters)
    {
        parameters = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return InferenceError.InvalidArgument($"{owner} 'parameters' must be a JSON object, got {reader.TokenType}");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(flagName))
            {
                // Matched in place: the name is a string only when it goes into the dictionary (a non-bool value).
                reader.Read();
                if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                {
                    flag = reader.TokenType == JsonTokenType.True;
                    parameters?.Remove(flagName);
                    continue;
                }

                flag = null;
                var flagError = ReadParameterValue(ref reader, owner, flagName, ref parameters);
                if (flagError is not null)
                {
                    return flagError;
                }

                continue;
            }

            var name = JsonNames.Get(ref reader); // known names (priority, timeout, …) are shared strings
            reader.Read();
            var error = ReadParameterValue(ref reader, owner, name, ref parameters);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>Reads one parameter value (bool, integer, uint64, double or string) into a dictionary made on first use.</summary>
    private static InferenceError? ReadParameterValue(ref Utf8JsonReader reader, string owner, string name, ref Dictionary<string, InferParameter>? parameters)
    {
        InferParameter value;
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
            case JsonTokenType.False:
                value = InferParameter.FromBool(reader.GetBoolean());
                break;
            case JsonTokenType.String:
                value = InferParameter.FromString(reader.GetString()!);
                break;
            case JsonTokenType.Number:
                value = reader.TryGetInt64(out var l) ? InferParameter.FromInt64(l)
                    : reader.TryGetUInt64(out var u) ? InferParameter.FromUInt64(u)
                    : InferParameter.FromDouble(reader.GetDouble());
                break;
            default:
                return InferenceError.InvalidArgument(
                    $"{owner} parameter '{name}' must be a bool, number or string, got a JSON {reader.TokenType}");
        }

        parameters ??= new Dictionary<string, InferParameter>(StringComparer.Ordinal);
        parameters[name] = value;
        return null;
    }

    private static InferenceError? ReadInputs(
        ref Utf8JsonReader reader,
        List<PendingInput> inputs,
        List<(int Input, long Size)> binarySizes,
        ref Dictionary<int, (int Start, int Length)>? dataRanges)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return InferenceError.InvalidArgument($"field 'inputs' must be an array, got a JSON {reader.TokenType}");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var index = inputs.Count;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return InferenceError.InvalidArgument($"inputs[{index}] must be an object, got a JSON {reader.TokenType}");
            }

            string? name = null;
            TensorDataType? type = null;
            string? badDatatype = null;
            long[]? shape = null;
            long? binarySize = null;
            Dictionary<string, InferParameter>? parameters = null;
            (int Start, int Length)? data = null;

            // Property names are matched in place (no string per property); the label is built only for errors.
            // (A local function never turned into a delegate: its captures live in a struct, nothing is allocated.)
            string Label() => InputLabel(index, name);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return InferenceError.InvalidArgument($"{Label()}: 'name' must be a string, got a JSON {reader.TokenType}");
                    }

                    name = JsonNames.Get(ref reader);
                }
                else if (reader.ValueTextEquals("datatype"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return InferenceError.InvalidArgument($"{Label()}: 'datatype' must be a string, got a JSON {reader.TokenType}");
                    }

                    type = ParseDatatype(ref reader);
                    badDatatype = type is null ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("shape"u8))
                {
                    reader.Read();
                    var shapeError = ReadShape(ref reader, index, name, out shape);
                    if (shapeError is not null)
                    {
                        return shapeError;
                    }
                }
                else if (reader.ValueTextEquals("parameters"u8))
                {
                    reader.Read();
                    var pError = ReadInputParameters(ref reader, index, name, out parameters, out binarySize);
                    if (pError is not null)
                    {
                        return pError;
                    }
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        return InferenceError.InvalidArgument($"{Label()}: 'data' must be an array, got a JSON {reader.TokenType}");
                    }

                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    data = (start, (int)reader.BytesConsumed - start);
                }
                else
                {
                    return InferenceError.InvalidArgument(
                        $"{Label()}: unexpected field '{reader.GetString()}'; expected name, shape, datatype, parameters, data");
                }
            }

            if (name is null || (type is null && badDatatype is null) || shape is null)
            {
                var missing = name is null ? "name" : type is null && badDatatype is null ? "datatype" : "shape";
                return InferenceError.InvalidArgument($"{Label()}: missing field '{missing}'");
            }

            if (type is not { } dataType)
            {
                return InferenceError.InvalidArgument(
                    $"input '{name}': unknown datatype '{badDatatype}'; expected one of {string.Join(", ", TensorDataTypes.All().Select(t => t.ToWireName()))}");
            }

            if (binarySize is { } size)
            {
                if (data is not null)
                {
                    return InferenceError.InvalidArgument($"input '{name}' has both 'data' and binary_data_size; send one");
                }

                binarySizes.Add((index, size));
            }
            else if (data is { } range)
            {
                (dataRanges ??= [])[index] = range;
            }

            // The tensor is made once, with its data, in AttachData (no placeholder tensor per input).
            inputs.Add(new PendingInput(name, dataType, shape, parameters));
        }

        return null;
    }

    private static string InputLabel(int index, string? name) => name is null ? $"inputs[{index}]" : $"input '{name}'";

    private static InferenceError? ReadShape(ref Utf8JsonReader reader, int index, string? name, out long[]? shape)
    {
        shape = null;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return InferenceError.InvalidArgument($"{InputLabel(index, name)}: 'shape' must be an array of integers, got a JSON {reader.TokenType}");
        }

        // Up to 8 dimensions on the stack, then a growing array: only the final shape is allocated.
        Span<long> first = stackalloc long[8];
        var dims = first;
        long[]? grown = null;
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var d) || d < 0)
            {
                return InferenceError.InvalidArgument($"{InputLabel(index, name)}: 'shape' must hold non-negative integers");
            }

            if (count == dims.Length)
            {
                grown = new long[dims.Length * 2];
                dims.CopyTo(grown);
                dims = grown;
            }

            dims[count++] = d;
        }

        shape = SharedShape(dims[..count]);
        return null;
    }

    private static readonly long[]?[] SharedShapes = new long[]?[64];

    /// <summary>
    /// The shape array for <paramref name="dims"/>: a model's requests repeat a few shapes, and a shape array is never
    /// written after it is read (InferenceTensor.Shape), so up to 8 dimensions come from a bounded cache shared by
    /// requests; a miss allocates it and takes the slot.
    /// </summary>
    private static long[] SharedShape(ReadOnlySpan<long> dims)
    {
        if (dims.Length > 8)
        {
            return dims.ToArray();
        }

        var hash = (ulong)dims.Length;
        foreach (var d in dims)
        {
            hash = (hash ^ (ulong)d) * 1099511628211UL;
        }

        ref var slot = ref SharedShapes[(int)((hash ^ (hash >> 32)) & 63)];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && dims.SequenceEqual(cached))
        {
            return cached;
        }

        var shape = dims.ToArray();
        Volatile.Write(ref slot, shape);
        return shape;
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
            bool? binaryData = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = JsonNames.Get(ref reader);
                reader.Read();
                if (property == "name" && reader.TokenType == JsonTokenType.String)
                {
                    name = JsonNames.Get(ref reader);
                }
                else if (property == "parameters")
                {
                    var error = ReadParameters(ref reader, OutputOwner(index), BinaryDataFlag, ref binaryData, out parameters);
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

            request.Outputs.Add(parameters is null ? SharedOutput(name, binaryData) : new RequestedOutput(name, parameters) { BinaryData = binaryData });
        }

        return null;
    }

    private static readonly RequestedOutput?[] SharedOutputs = new RequestedOutput?[64];

    /// <summary>
    /// A requested output with no parameters but its <c>binary_data</c> flag: immutable, so one instance per (name, flag)
    /// is shared by the requests that ask for it (a bounded cache; names come from <see cref="JsonNames"/>, the same
    /// string for the same name, so the slot is matched by reference).
    /// </summary>
    private static RequestedOutput SharedOutput(string name, bool? binaryData)
    {
        var hash = (uint)System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(name) * 3 + (binaryData switch { null => 0u, false => 1u, true => 2u });
        ref var slot = ref SharedOutputs[hash & 63];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && ReferenceEquals(cached.Name, name) && cached.BinaryData == binaryData)
        {
            return cached;
        }

        var output = new RequestedOutput(name) { BinaryData = binaryData };
        Volatile.Write(ref slot, output);
        return output;
    }

    /// <summary><c>outputs[i]</c>, the owner named in a parameter error; the first few are kept (no string per output per request).</summary>
    private static string OutputOwner(int index) =>
        index < OutputOwners.Length ? OutputOwners[index] : $"outputs[{index}]";

    private static readonly string[] OutputOwners = [.. Enumerable.Range(0, 16).Select(i => $"outputs[{i}]")];

    private static readonly byte[][] WireNamesUtf8 =
        [.. TensorDataTypes.All().Select(t => System.Text.Encoding.UTF8.GetBytes(t.ToWireName()))];

    /// <summary>The datatype of the current string token, matched without allocating; null when unknown.</summary>
    private static TensorDataType? ParseDatatype(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < WireNamesUtf8.Length; i++)
        {
            if (reader.ValueTextEquals(WireNamesUtf8[i]))
            {
                return (TensorDataType)(i + 1);
            }
        }

        return null;
    }

    /// <summary>
    /// An input's parameters: <c>binary_data_size</c> is read directly (the common case allocates nothing); any
    /// other parameter goes into a dictionary.
    /// </summary>
    private static InferenceError? ReadInputParameters(ref Utf8JsonReader reader, int index, string? inputName,
        out Dictionary<string, InferParameter>? parameters, out long? binarySize)
    {
        parameters = null;
        binarySize = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return InferenceError.InvalidArgument($"{InputLabel(index, inputName)} 'parameters' must be a JSON object, got {reader.TokenType}");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("binary_data_size"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var size) || size < 0)
                {
                    var text = reader.TokenType switch
                    {
                        JsonTokenType.String or JsonTokenType.Number =>
                            System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray()),
                        JsonTokenType.True => "true",
                        JsonTokenType.False => "false",
                        _ => $"a JSON {reader.TokenType}",
                    };
                    return InferenceError.InvalidArgument($"{InputLabel(index, inputName)}: binary_data_size must be a non-negative integer, got {text}");
                }

                binarySize = size;
                continue;
            }

            var name = JsonNames.Get(ref reader); // known names (binary_data_output, priority, …) are shared strings
            reader.Read();
            var error = ReadParameterValue(ref reader, InputLabel(index, inputName), name, ref parameters);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }
}
