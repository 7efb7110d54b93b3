using System.Buffers.Binary;
using System.Text.Json;
using Google.Protobuf.Collections;
using Grpc.Core;
using Turbine.Protocol;
using Turbine.Protocol.Grpc;

namespace Turbine.Client.Internal;

/// <summary>Turns a <see cref="ModelInferResponse"/> into an <see cref="InferResult"/> with outputs in protocol layout.</summary>
internal static class GrpcInferResponseReader
{
    public static InferResult Read(ModelInferResponse response)
    {
        var raw = response.RawOutputContents;
        if (raw.Count > 0 && raw.Count != response.Outputs.Count)
        {
            throw new TurbineClientException(
                StatusCode.Internal,
                $"response of model '{response.ModelName}' has {response.Outputs.Count} outputs but {raw.Count} raw_output_contents; expected one per output",
                NullIfEmpty(response.Id));
        }

        var outputs = new InferOutput[response.Outputs.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            var tensor = response.Outputs[i];

            // ByteString.Memory is the message's own buffer: no second copy of the tensor bytes.
            var data = i < raw.Count ? raw[i].Memory : FromContents(tensor, response);
            outputs[i] = new InferOutput(tensor.Name, [.. tensor.Shape], tensor.Datatype, data);
        }

        return new InferResult(response.ModelName, response.ModelVersion, NullIfEmpty(response.Id), ToJson(response.Parameters), outputs);
    }

    internal static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>A parameters map as a JSON object, or null when it is empty.</summary>
    internal static JsonElement? ToJson(MapField<string, InferParameter> parameters)
    {
        if (parameters.Count == 0)
        {
            return null;
        }

        using var buffer = new PooledBufferWriter();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in parameters)
            {
                writer.WritePropertyName(key);
                switch (value.ParameterChoiceCase)
                {
                    case InferParameter.ParameterChoiceOneofCase.BoolParam: writer.WriteBooleanValue(value.BoolParam); break;
                    case InferParameter.ParameterChoiceOneofCase.Int64Param: writer.WriteNumberValue(value.Int64Param); break;
                    case InferParameter.ParameterChoiceOneofCase.Uint64Param: writer.WriteNumberValue(value.Uint64Param); break;
                    case InferParameter.ParameterChoiceOneofCase.DoubleParam when double.IsFinite(value.DoubleParam):
                        writer.WriteNumberValue(value.DoubleParam);
                        break;
                    case InferParameter.ParameterChoiceOneofCase.DoubleParam:
                        writer.WriteStringValue(value.DoubleParam.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        break;
                    case InferParameter.ParameterChoiceOneofCase.StringParam: writer.WriteStringValue(value.StringParam); break;
                    default: writer.WriteNullValue(); break;
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>An output sent in typed contents, converted to protocol layout.</summary>
    private static byte[] FromContents(ModelInferResponse.Types.InferOutputTensor tensor, ModelInferResponse response)
    {
        var c = tensor.Contents;
        if (c is null)
        {
            return [];
        }

        switch (tensor.Datatype)
        {
            case Datatypes.Bool: return [.. c.BoolContents.Select(b => b ? (byte)1 : (byte)0)];
            case Datatypes.Int8: return [.. c.IntContents.Select(v => (byte)(sbyte)v)];
            case Datatypes.UInt8: return [.. c.UintContents.Select(v => (byte)v)];
            case Datatypes.Int16: return Pack(c.IntContents, 2, (s, v) => BinaryPrimitives.WriteInt16LittleEndian(s, (short)v));
            case Datatypes.UInt16: return Pack(c.UintContents, 2, (s, v) => BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)v));
            case Datatypes.Int32: return Pack(c.IntContents, 4, BinaryPrimitives.WriteInt32LittleEndian);
            case Datatypes.UInt32: return Pack(c.UintContents, 4, BinaryPrimitives.WriteUInt32LittleEndian);
            case Datatypes.Int64: return Pack(c.Int64Contents, 8, BinaryPrimitives.WriteInt64LittleEndian);
            case Datatypes.UInt64: return Pack(c.Uint64Contents, 8, BinaryPrimitives.WriteUInt64LittleEndian);
            case Datatypes.Fp32: return Pack(c.Fp32Contents, 4, BinaryPrimitives.WriteSingleLittleEndian);
            case Datatypes.Fp64: return Pack(c.Fp64Contents, 8, BinaryPrimitives.WriteDoubleLittleEndian);
            case Datatypes.Bytes:
                var bytes = new byte[c.BytesContents.Sum(b => 4L + b.Length)];
                var offset = 0;
                foreach (var element in c.BytesContents)
                {
                    offset += BytesTensor.WriteElement(bytes.AsSpan(offset), element.Span);
                }

                return bytes;
            default:
                throw new TurbineClientException(
                    StatusCode.Internal,
                    $"output '{tensor.Name}' of model '{response.ModelName}' is {tensor.Datatype} in typed contents; " +
                    "expected it in raw_output_contents (typed contents have no such field)",
                    NullIfEmpty(response.Id));
        }
    }

    private delegate void Writer<in T>(Span<byte> destination, T value);

    private static byte[] Pack<T>(RepeatedField<T> values, int size, Writer<T> write)
    {
        var bytes = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            write(bytes.AsSpan(i * size), values[i]);
        }

        return bytes;
    }
}
