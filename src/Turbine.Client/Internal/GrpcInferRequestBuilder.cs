using System.Buffers.Binary;
using System.Text.Json;
using Google.Protobuf;
using Turbine.Protocol;
using Turbine.Protocol.Grpc;

namespace Turbine.Client.Internal;

/// <summary>Builds a <see cref="ModelInferRequest"/> from the client's inputs, outputs and options.</summary>
internal static class GrpcInferRequestBuilder
{
    public static ModelInferRequest Build(
        string model,
        IReadOnlyList<InferInput> inputs,
        IReadOnlyList<InferRequestedOutput>? outputs,
        InferOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(inputs);
        var typed = options?.GrpcTypedContents ?? false;
        var request = new ModelInferRequest
        {
            ModelName = model,
            ModelVersion = options?.ModelVersion ?? string.Empty,
            Id = options?.RequestId ?? string.Empty,
        };
        AddParameters(request.Parameters, options);

        foreach (var input in inputs)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(inputs));
            if (!input.HasData)
            {
                throw new ArgumentException(
                    $"input '{input.Name}' has no data; call SetData, SetStrings, SetBytesElements or SetRaw", nameof(inputs));
            }

            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input.Name, Datatype = input.Datatype };
            tensor.Shape.AddRange(input.Shape);
            if (typed)
            {
                tensor.Contents = ToContents(input);
            }
            else
            {
                // No copy: the protobuf message refers to the input's memory until it is serialized.
                request.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(input.RawData));
            }

            request.Inputs.Add(tensor);
        }

        if (outputs is not null)
        {
            foreach (var output in outputs)
            {
                ArgumentNullException.ThrowIfNull(output, nameof(outputs));
                var tensor = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output.Name };
                if (output.ClassCount > 0)
                {
                    tensor.Parameters["classification"] = new InferParameter { Int64Param = output.ClassCount };
                }

                request.Outputs.Add(tensor);
            }
        }

        return request;
    }

    private static void AddParameters(Google.Protobuf.Collections.MapField<string, InferParameter> map, InferOptions? options)
    {
        if (options is null)
        {
            return;
        }

        if (options.Parameters is { } parameters)
        {
            foreach (var (key, value) in parameters)
            {
                map[key] = ToParameter(key, value);
            }
        }

        // Named options win over an entry with the same key.
        if (options.Priority is { } priority)
        {
            map["priority"] = new InferParameter { Int64Param = priority };
        }

        if (options.TimeoutMicroseconds is { } timeout)
        {
            map["timeout"] = new InferParameter { Int64Param = timeout };
        }
    }

    internal static InferParameter ToParameter(string key, object? value) => value switch
    {
        bool b => new InferParameter { BoolParam = b },
        string s => new InferParameter { StringParam = s },
        int i => new InferParameter { Int64Param = i },
        long l => new InferParameter { Int64Param = l },
        short sh => new InferParameter { Int64Param = sh },
        sbyte sb => new InferParameter { Int64Param = sb },
        byte by => new InferParameter { Int64Param = by },
        ushort us => new InferParameter { Int64Param = us },
        uint ui => new InferParameter { Int64Param = ui },
        ulong ul => new InferParameter { Uint64Param = ul },
        float f => new InferParameter { DoubleParam = f },
        double d => new InferParameter { DoubleParam = d },
        decimal m => new InferParameter { DoubleParam = (double)m },
        JsonElement e => FromJson(key, e),
        _ => throw new ArgumentException(
            $"request parameter '{key}' has a value of type {value?.GetType().Name ?? "null"}; expected bool, string, a number or a JsonElement"),
    };

    private static InferParameter FromJson(string key, JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True => new InferParameter { BoolParam = true },
        JsonValueKind.False => new InferParameter { BoolParam = false },
        JsonValueKind.String => new InferParameter { StringParam = e.GetString() },
        JsonValueKind.Number when e.TryGetInt64(out var l) => new InferParameter { Int64Param = l },
        JsonValueKind.Number when e.TryGetUInt64(out var ul) => new InferParameter { Uint64Param = ul },
        JsonValueKind.Number => new InferParameter { DoubleParam = e.GetDouble() },
        _ => throw new ArgumentException(
            $"request parameter '{key}' is a JSON {e.ValueKind}; gRPC parameters are bool, string, int64, uint64 or double"),
    };

    /// <summary>The input's raw data as typed <see cref="InferTensorContents"/>.</summary>
    internal static InferTensorContents ToContents(InferInput input)
    {
        var raw = input.RawData.Span;
        var contents = new InferTensorContents();
        switch (input.Datatype)
        {
            case Datatypes.Bool:
                foreach (var b in raw)
                {
                    contents.BoolContents.Add(b != 0);
                }

                break;
            case Datatypes.Int8:
                foreach (var b in raw)
                {
                    contents.IntContents.Add((sbyte)b);
                }

                break;
            case Datatypes.Int16:
                for (var i = 0; i < raw.Length; i += 2)
                {
                    contents.IntContents.Add(BinaryPrimitives.ReadInt16LittleEndian(raw[i..]));
                }

                break;
            case Datatypes.Int32:
                for (var i = 0; i < raw.Length; i += 4)
                {
                    contents.IntContents.Add(BinaryPrimitives.ReadInt32LittleEndian(raw[i..]));
                }

                break;
            case Datatypes.Int64:
                for (var i = 0; i < raw.Length; i += 8)
                {
                    contents.Int64Contents.Add(BinaryPrimitives.ReadInt64LittleEndian(raw[i..]));
                }

                break;
            case Datatypes.UInt8:
                foreach (var b in raw)
                {
                    contents.UintContents.Add(b);
                }

                break;
            case Datatypes.UInt16:
                for (var i = 0; i < raw.Length; i += 2)
                {
                    contents.UintContents.Add(BinaryPrimitives.ReadUInt16LittleEndian(raw[i..]));
                }

                break;
            case Datatypes.UInt32:
                for (var i = 0; i < raw.Length; i += 4)
                {
                    contents.UintContents.Add(BinaryPrimitives.ReadUInt32LittleEndian(raw[i..]));
                }

                break;
            case Datatypes.UInt64:
                for (var i = 0; i < raw.Length; i += 8)
                {
                    contents.Uint64Contents.Add(BinaryPrimitives.ReadUInt64LittleEndian(raw[i..]));
                }

                break;
            case Datatypes.Fp32:
                for (var i = 0; i < raw.Length; i += 4)
                {
                    contents.Fp32Contents.Add(BinaryPrimitives.ReadSingleLittleEndian(raw[i..]));
                }

                break;
            case Datatypes.Fp64:
                for (var i = 0; i < raw.Length; i += 8)
                {
                    contents.Fp64Contents.Add(BinaryPrimitives.ReadDoubleLittleEndian(raw[i..]));
                }

                break;
            case Datatypes.Bytes:
                foreach (var element in BytesTensor.Enumerate(raw))
                {
                    contents.BytesContents.Add(ByteString.CopyFrom(element));
                }

                break;
            default:
                throw new ArgumentException(
                    $"input '{input.Name}': {input.Datatype} cannot be sent in typed gRPC contents (InferTensorContents has no " +
                    $"{input.Datatype} field); leave InferOptions.GrpcTypedContents false to send it in raw_input_contents");
        }

        return contents;
    }
}
