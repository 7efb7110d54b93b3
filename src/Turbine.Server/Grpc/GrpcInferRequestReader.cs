using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Turbine.Core;
using Turbine.Core.SharedMemory;
using Turbine.Core.Tensors;
using Turbine.Protocol;
using Turbine.Protocol.Grpc;
using Turbine.Server.Http;

namespace Turbine.Server.Grpc;

/// <summary>
/// Turns a <see cref="ModelInferRequest"/> into an engine request. Inputs in <c>raw_input_contents</c> are used in
/// place (the ByteString gRPC already parsed into); typed <c>contents</c> are converted once into pooled buffers.
/// </summary>
internal static class GrpcInferRequestReader
{
    /// <summary>Reads the message; typed contents larger than <paramref name="maxTensorBytes"/> are refused before conversion.</summary>
    public static Result<InferenceRequest> Read(ModelInferRequest message, long maxTensorBytes = long.MaxValue)
    {
        var version = ParseVersion(message.ModelVersion);
        if (!version.IsOk)
        {
            return version.Error;
        }

        // Inputs in shared memory have no raw_input_contents entry (tritonclient sends none for them): the entries
        // belong to the other inputs, in order.
        var inMessage = 0;
        foreach (var input in message.Inputs)
        {
            inMessage += input.Parameters.ContainsKey(SharedMemoryParameters.Region) ? 0 : 1;
        }

        if (message.RawInputContents.Count > 0 && message.RawInputContents.Count != inMessage)
        {
            return InferenceError.InvalidArgument(inMessage == message.Inputs.Count
                ? $"raw_input_contents has {message.RawInputContents.Count} entries but the request has {message.Inputs.Count} inputs; send one entry per input, in input order"
                : $"raw_input_contents has {message.RawInputContents.Count} entries but the request has {inMessage} inputs not in shared memory; send one entry per such input, in input order");
        }

#pragma warning disable CA2000 // returned to the caller inside the Result; every error return disposes it
        var request = new InferenceRequest(message.ModelName, version.Value == 0 ? null : version.Value) { Id = message.Id };
#pragma warning restore CA2000
        if (message.Parameters.Count > 0)
        {
            request.Parameters = Convert(message.Parameters);
        }

        var raw = 0;
        for (var i = 0; i < message.Inputs.Count; i++)
        {
            var input = message.Inputs[i];
            if (!TensorDataTypes.TryParseWireName(input.Datatype, out var type))
            {
                request.Dispose();
                return InferenceError.InvalidArgument(
                    $"input '{input.Name}': unknown datatype '{input.Datatype}'; expected one of {string.Join(", ", TensorDataTypes.All().Select(t => t.ToWireName()))}");
            }

            long[] shape = [.. input.Shape];
            if (shape.Any(d => d < 0))
            {
                request.Dispose();
                return InferenceError.InvalidArgument($"input '{input.Name}': shape {TensorShape.Format(shape)} has a negative dimension");
            }

            var parameters = input.Parameters.Count > 0 ? Convert(input.Parameters) : null;
            if (SharedMemoryParameters.Present(parameters))
            {
                if (input.Contents is not null && HasAny(input.Contents))
                {
                    request.Dispose();
                    return InferenceError.InvalidArgument($"input '{input.Name}' takes its data from shared memory and must not carry contents as well");
                }

                // Data attached by the engine from the region (SharedMemoryBinding), as for REST.
                request.Inputs.Add(new InferenceTensor(input.Name, type, shape, ReadOnlyMemory<byte>.Empty) { Parameters = parameters });
                if (input.Parameters.ContainsKey(SharedMemoryParameters.Region))
                {
                    continue;
                }

                // Offset or size without a region: an error the engine reports; this input still owns a raw entry.
                raw++;
                continue;
            }

            if (message.RawInputContents.Count > 0)
            {
                if (input.Contents is not null && HasAny(input.Contents))
                {
                    request.Dispose();
                    return InferenceError.InvalidArgument($"input '{input.Name}': a request uses either raw_input_contents or typed contents, not both");
                }

                request.Inputs.Add(new InferenceTensor(input.Name, type, shape, message.RawInputContents[raw++].Memory) { Parameters = parameters });
                continue;
            }

            var typed = FromContents(input.Name, type, shape, input.Contents, maxTensorBytes);
            if (!typed.IsOk)
            {
                request.Dispose();
                return typed.Error;
            }

            request.Inputs.Add(new InferenceTensor(input.Name, type, shape, typed.Value.WrittenMemory, typed.Value) { Parameters = parameters });
        }

        foreach (var output in message.Outputs)
        {
            request.Outputs.Add(new RequestedOutput(output.Name, output.Parameters.Count > 0 ? Convert(output.Parameters) : null));
        }

        return Result<InferenceRequest>.Ok(request);
    }

    /// <summary>"" = the default version (0 here); otherwise a positive integer.</summary>
    public static Result<long> ParseVersion(string version)
    {
        if (version.Length == 0)
        {
            return Result<long>.Ok(0);
        }

        return long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
            ? Result<long>.Ok(v)
            : InferenceError.InvalidArgument($"model version '{version}' is not valid: versions are positive integers");
    }

    public static Dictionary<string, Core.Tensors.InferParameter> Convert(MapField<string, Protocol.Grpc.InferParameter> map)
    {
        var result = new Dictionary<string, Core.Tensors.InferParameter>(map.Count, StringComparer.Ordinal);
        foreach (var (key, p) in map)
        {
            result[key] = p.ParameterChoiceCase switch
            {
                Protocol.Grpc.InferParameter.ParameterChoiceOneofCase.BoolParam => Core.Tensors.InferParameter.FromBool(p.BoolParam),
                Protocol.Grpc.InferParameter.ParameterChoiceOneofCase.Int64Param => Core.Tensors.InferParameter.FromInt64(p.Int64Param),
                Protocol.Grpc.InferParameter.ParameterChoiceOneofCase.Uint64Param => Core.Tensors.InferParameter.FromUInt64(p.Uint64Param),
                Protocol.Grpc.InferParameter.ParameterChoiceOneofCase.DoubleParam => Core.Tensors.InferParameter.FromDouble(p.DoubleParam),
                _ => Core.Tensors.InferParameter.FromString(p.StringParam),
            };
        }

        return result;
    }

    private static bool HasAny(InferTensorContents c) =>
        c.BoolContents.Count + c.IntContents.Count + c.Int64Contents.Count + c.UintContents.Count + c.Uint64Contents.Count +
        c.Fp32Contents.Count + c.Fp64Contents.Count + c.BytesContents.Count > 0;

    /// <summary>The typed contents fields with their element counts, in the protocol's order.</summary>
    private static (string Field, int Count)[] Fields(InferTensorContents c) =>
    [
        ("bool_contents", c.BoolContents.Count), ("int_contents", c.IntContents.Count), ("int64_contents", c.Int64Contents.Count),
        ("uint_contents", c.UintContents.Count), ("uint64_contents", c.Uint64Contents.Count), ("fp32_contents", c.Fp32Contents.Count),
        ("fp64_contents", c.Fp64Contents.Count), ("bytes_contents", c.BytesContents.Count),
    ];

    /// <summary>The typed contents field that carries <paramref name="type"/>, or null when none does.</summary>
    private static string? FieldOf(TensorDataType type) => type switch
    {
        TensorDataType.Bool => "bool_contents",
        TensorDataType.Int8 or TensorDataType.Int16 or TensorDataType.Int32 => "int_contents",
        TensorDataType.Int64 => "int64_contents",
        TensorDataType.UInt8 or TensorDataType.UInt16 or TensorDataType.UInt32 => "uint_contents",
        TensorDataType.UInt64 => "uint64_contents",
        TensorDataType.FP32 => "fp32_contents",
        TensorDataType.FP64 => "fp64_contents",
        TensorDataType.Bytes => "bytes_contents",
        _ => null,
    };

    /// <summary>
    /// Bytes the typed contents of <paramref name="message"/> take once converted to the raw layout (from the element
    /// counts and sizes only, nothing converted), so the budget can be reserved before any conversion.
    /// </summary>
    public static long TypedContentsBytes(ModelInferRequest message)
    {
        if (message.RawInputContents.Count > 0)
        {
            return 0;
        }

        long total = 0;
        foreach (var input in message.Inputs)
        {
            if (input.Contents is not { } c || !TensorDataTypes.TryParseWireName(input.Datatype, out var type) || FieldOf(type) is null)
            {
                continue;
            }

            if (type == TensorDataType.Bytes)
            {
                foreach (var b in c.BytesContents)
                {
                    total += 4L + b.Length;
                }
            }
            else
            {
                total += (long)Fields(c).First(f => f.Field == FieldOf(type)).Count * type.ElementSize();
            }
        }

        return total;
    }

    private static Result<PooledBuffer> FromContents(string name, TensorDataType type, long[] shape, InferTensorContents? contents, long maxTensorBytes)
    {
        contents ??= new InferTensorContents();
        var expected = TensorShape.ElementCount(shape);

        // Everything is checked from the counts the message declares before a byte is converted: the datatype's field,
        // no other field beside it, the shape's size against the limit, then the element count.
        if (FieldOf(type) is not { } field)
        {
            return InferenceError.InvalidArgument(
                $"input '{name}': datatype {type.ToWireName()} has no typed contents field; send it in raw_input_contents");
        }

        var count = 0;
        foreach (var (other, n) in Fields(contents))
        {
            if (other == field)
            {
                count = n;
            }
            else if (n > 0)
            {
                return InferenceError.InvalidArgument(
                    $"input '{name}': datatype {type.ToWireName()} takes its data in {field}, but {other} is also set ({n} elements); send only {field}");
            }
        }

        if (expected < 0 || (type != TensorDataType.Bytes && expected > maxTensorBytes / type.ElementSize()))
        {
            return InferenceError.InvalidArgument(
                $"input '{name}': shape {TensorShape.Format(shape)} of {type.ToWireName()} is larger than the limit of {maxTensorBytes} bytes per request");
        }

        if (count != expected)
        {
            return InferenceError.InvalidArgument(
                $"input '{name}': shape {TensorShape.Format(shape)} needs {expected} elements, but {field} holds {count}");
        }

        if (type == TensorDataType.Bytes)
        {
            var size = 0L;
            foreach (var b in contents.BytesContents)
            {
                size += 4 + b.Length;
            }

            if (size > Math.Min(maxTensorBytes, Array.MaxLength))
            {
                return InferenceError.InvalidArgument(
                    $"input '{name}': bytes_contents take {size} bytes, more than the limit of {maxTensorBytes} bytes per request");
            }

#pragma warning disable CA2000 // returned to the caller inside the Result
            var bytes = new PooledBuffer((int)size);
#pragma warning restore CA2000
            foreach (var b in contents.BytesContents)
            {
                bytes.Advance(BytesTensor.WriteElement(bytes.GetSpan(4 + b.Length), b.Span));
            }

            return Result<PooledBuffer>.Ok(bytes);
        }

        var elementSize = type.ElementSize();
#pragma warning disable CA2000 // returned to the caller inside the Result; every error return disposes it
        var buffer = new PooledBuffer(Math.Max(1, count * elementSize));
#pragma warning restore CA2000
        var s = buffer.GetSpan(count * elementSize);
        for (var i = 0; i < count; i++)
        {
            var e = s.Slice(i * elementSize, elementSize);
            switch (type)
            {
                case TensorDataType.Bool: e[0] = contents.BoolContents[i] ? (byte)1 : (byte)0; break;
                case TensorDataType.Int8:
                    if (!Fits(contents.IntContents[i], sbyte.MinValue, sbyte.MaxValue, out var err8, name, i, type))
                    {
                        buffer.Dispose();
                        return err8!;
                    }

                    e[0] = unchecked((byte)(sbyte)contents.IntContents[i]);
                    break;
                case TensorDataType.Int16:
                    if (!Fits(contents.IntContents[i], short.MinValue, short.MaxValue, out var err16, name, i, type))
                    {
                        buffer.Dispose();
                        return err16!;
                    }

                    BinaryPrimitives.WriteInt16LittleEndian(e, (short)contents.IntContents[i]);
                    break;
                case TensorDataType.Int32: BinaryPrimitives.WriteInt32LittleEndian(e, contents.IntContents[i]); break;
                case TensorDataType.Int64: BinaryPrimitives.WriteInt64LittleEndian(e, contents.Int64Contents[i]); break;
                case TensorDataType.UInt8:
                    if (!Fits(contents.UintContents[i], byte.MaxValue, out var erru8, name, i, type))
                    {
                        buffer.Dispose();
                        return erru8!;
                    }

                    e[0] = (byte)contents.UintContents[i];
                    break;
                case TensorDataType.UInt16:
                    if (!Fits(contents.UintContents[i], ushort.MaxValue, out var erru16, name, i, type))
                    {
                        buffer.Dispose();
                        return erru16!;
                    }

                    BinaryPrimitives.WriteUInt16LittleEndian(e, (ushort)contents.UintContents[i]);
                    break;
                case TensorDataType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(e, contents.UintContents[i]); break;
                case TensorDataType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(e, contents.Uint64Contents[i]); break;
                case TensorDataType.FP32: BinaryPrimitives.WriteSingleLittleEndian(e, contents.Fp32Contents[i]); break;
                case TensorDataType.FP64: BinaryPrimitives.WriteDoubleLittleEndian(e, contents.Fp64Contents[i]); break;
            }
        }

        buffer.Advance(count * elementSize);
        return Result<PooledBuffer>.Ok(buffer);
    }

    private static bool Fits(int value, int min, int max, out InferenceError? error, string name, int index, TensorDataType type)
    {
        error = value < min || value > max
            ? InferenceError.InvalidArgument($"input '{name}': element {index} value {value} is not a valid {type.ToWireName()}")
            : null;
        return error is null;
    }

    private static bool Fits(uint value, uint max, out InferenceError? error, string name, int index, TensorDataType type)
    {
        error = value > max
            ? InferenceError.InvalidArgument($"input '{name}': element {index} value {value} is not a valid {type.ToWireName()}")
            : null;
        return error is null;
    }
}
