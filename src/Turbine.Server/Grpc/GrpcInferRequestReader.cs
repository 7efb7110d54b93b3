using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Turbine.Core;
using Turbine.Core.Tensors;
using Turbine.Protocol.Grpc;
using Turbine.Server.Http;

namespace Turbine.Server.Grpc;

/// <summary>
/// Turns a <see cref="ModelInferRequest"/> into an engine request. Inputs in <c>raw_input_contents</c> are used in
/// place (the ByteString gRPC already parsed into); typed <c>contents</c> are converted once into pooled buffers.
/// </summary>
internal static class GrpcInferRequestReader
{
    public static Result<InferenceRequest> Read(ModelInferRequest message)
    {
        var version = ParseVersion(message.ModelVersion);
        if (!version.IsOk)
        {
            return version.Error;
        }

        if (message.RawInputContents.Count > 0 && message.RawInputContents.Count != message.Inputs.Count)
        {
            return InferenceError.InvalidArgument(
                $"raw_input_contents has {message.RawInputContents.Count} entries but the request has {message.Inputs.Count} inputs; send one entry per input, in input order");
        }

        var request = new InferenceRequest(message.ModelName, version.Value == 0 ? null : version.Value) { Id = message.Id };
        if (message.Parameters.Count > 0)
        {
            request.Parameters = Convert(message.Parameters);
        }

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
            if (message.RawInputContents.Count > 0)
            {
                if (input.Contents is not null && HasAny(input.Contents))
                {
                    request.Dispose();
                    return InferenceError.InvalidArgument($"input '{input.Name}': a request uses either raw_input_contents or typed contents, not both");
                }

                request.Inputs.Add(new InferenceTensor(input.Name, type, shape, message.RawInputContents[i].Memory) { Parameters = parameters });
                continue;
            }

            var typed = FromContents(input.Name, type, shape, input.Contents);
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

    private static Result<PooledBuffer> FromContents(string name, TensorDataType type, long[] shape, InferTensorContents? contents)
    {
        contents ??= new InferTensorContents();
        var expected = TensorShape.ElementCount(shape);
        int count;
        string field;
        switch (type)
        {
            case TensorDataType.Bool: count = contents.BoolContents.Count; field = "bool_contents"; break;
            case TensorDataType.Int8 or TensorDataType.Int16 or TensorDataType.Int32: count = contents.IntContents.Count; field = "int_contents"; break;
            case TensorDataType.Int64: count = contents.Int64Contents.Count; field = "int64_contents"; break;
            case TensorDataType.UInt8 or TensorDataType.UInt16 or TensorDataType.UInt32: count = contents.UintContents.Count; field = "uint_contents"; break;
            case TensorDataType.UInt64: count = contents.Uint64Contents.Count; field = "uint64_contents"; break;
            case TensorDataType.FP32: count = contents.Fp32Contents.Count; field = "fp32_contents"; break;
            case TensorDataType.FP64: count = contents.Fp64Contents.Count; field = "fp64_contents"; break;
            case TensorDataType.Bytes: count = contents.BytesContents.Count; field = "bytes_contents"; break;
            default:
                return InferenceError.InvalidArgument(
                    $"input '{name}': datatype {type.ToWireName()} has no typed contents field; send it in raw_input_contents");
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

            var bytes = new PooledBuffer((int)Math.Min(size, int.MaxValue));
            foreach (var b in contents.BytesContents)
            {
                var span = bytes.GetSpan(4 + b.Length);
                BinaryPrimitives.WriteInt32LittleEndian(span, b.Length);
                b.Span.CopyTo(span[4..]);
                bytes.Advance(4 + b.Length);
            }

            return Result<PooledBuffer>.Ok(bytes);
        }

        var elementSize = type.ElementSize();
        var buffer = new PooledBuffer(Math.Max(1, count * elementSize));
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
