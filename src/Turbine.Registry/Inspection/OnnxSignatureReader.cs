using Google.Protobuf;
using Turbine.Registry.Artifacts;

namespace Turbine.Registry.Inspection;

/// <summary>
/// Reads an ONNX model's signature by stream-parsing the ModelProto wire format: only the graph's inputs, outputs
/// and initializer names are decoded; everything else (weights included) is skipped, so the file is never held in
/// memory. Field numbers from onnx.proto: ModelProto.graph=7; GraphProto.initializer=5, input=11, output=12;
/// TensorProto.name=8; ValueInfoProto.name=1, type=2; TypeProto.tensor_type=1; Tensor.elem_type=1, shape=2;
/// TensorShapeProto.dim=1; Dimension.dim_value=1, dim_param=2.
/// </summary>
internal static class OnnxSignatureReader
{
    /// <summary>The signature, or null when the stream is not an ONNX model (no graph, or not valid protobuf).</summary>
    public static ModelSignature? TryRead(Stream stream)
    {
        try
        {
            using var counting = new CountingReadStream(stream);
            using var input = CodedInputStream.CreateWithLimits(counting, int.MaxValue, 100);
            var sawIrVersion = false;
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (tag)
                {
                    case (1 << 3) | 0: // ir_version
                        input.ReadInt64();
                        sawIrVersion = true;
                        break;
                    case (7 << 3) | 2: // graph
                        var graph = ReadGraph(input, input.ReadLength());
                        return sawIrVersion ? graph : null;
                    default:
                        input.SkipLastField();
                        break;
                }
            }

            return null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static ModelSignature ReadGraph(CodedInputStream input, int length)
    {
        var end = input.Position + length;
        var inputs = new List<TensorSignature>();
        var outputs = new List<TensorSignature>();
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        while (input.Position < end)
        {
            var tag = input.ReadTag();
            switch (tag)
            {
                case (5 << 3) | 2:
                    if (ReadInitializerName(input, input.ReadLength()) is { } name)
                    {
                        initializers.Add(name);
                    }

                    break;
                case (11 << 3) | 2:
                    inputs.Add(ReadValueInfo(input, input.ReadLength()));
                    break;
                case (12 << 3) | 2:
                    outputs.Add(ReadValueInfo(input, input.ReadLength()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new ModelSignature(inputs.Where(i => !initializers.Contains(i.Name)).ToArray(), outputs);
    }

    private static string? ReadInitializerName(CodedInputStream input, int length)
    {
        var end = input.Position + length;
        string? name = null;
        while (input.Position < end)
        {
            if (input.ReadTag() == ((8 << 3) | 2))
            {
                name = input.ReadString();
            }
            else
            {
                input.SkipLastField(); // raw_data and the other payload fields are skipped, never buffered whole
            }
        }

        return name;
    }

    private static TensorSignature ReadValueInfo(CodedInputStream input, int length)
    {
        var end = input.Position + length;
        var name = "";
        var datatype = "UNKNOWN";
        IReadOnlyList<long> shape = [];
        while (input.Position < end)
        {
            switch (input.ReadTag())
            {
                case (1 << 3) | 2:
                    name = input.ReadString();
                    break;
                case (2 << 3) | 2:
                    (datatype, shape) = ReadType(input, input.ReadLength());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new TensorSignature(name, datatype, shape);
    }

    private static (string Datatype, IReadOnlyList<long> Shape) ReadType(CodedInputStream input, int length)
    {
        var end = input.Position + length;
        var datatype = "UNKNOWN";
        var shape = new List<long>();
        while (input.Position < end)
        {
            if (input.ReadTag() != ((1 << 3) | 2))
            {
                input.SkipLastField(); // sequence/map/optional types: the signature says UNKNOWN
                continue;
            }

            var tensorEnd = input.Position + input.ReadLength();
            while (input.Position < tensorEnd)
            {
                switch (input.ReadTag())
                {
                    case (1 << 3) | 0:
                        datatype = Datatype(input.ReadInt32());
                        break;
                    case (2 << 3) | 2:
                        ReadShape(input, input.ReadLength(), shape);
                        break;
                    default:
                        input.SkipLastField();
                        break;
                }
            }
        }

        return (datatype, shape);
    }

    private static void ReadShape(CodedInputStream input, int length, List<long> shape)
    {
        var end = input.Position + length;
        while (input.Position < end)
        {
            if (input.ReadTag() != ((1 << 3) | 2))
            {
                input.SkipLastField();
                continue;
            }

            var dimEnd = input.Position + input.ReadLength();
            long dim = -1; // dim_param (symbolic) or nothing set: dynamic
            while (input.Position < dimEnd)
            {
                if (input.ReadTag() == ((1 << 3) | 0))
                {
                    dim = input.ReadInt64();
                }
                else
                {
                    input.SkipLastField();
                }
            }

            shape.Add(dim);
        }
    }

    /// <summary>ONNX TensorProto.DataType → Open Inference Protocol datatype name.</summary>
    public static string Datatype(int onnxType) => onnxType switch
    {
        1 => "FP32",
        2 => "UINT8",
        3 => "INT8",
        4 => "UINT16",
        5 => "INT16",
        6 => "INT32",
        7 => "INT64",
        8 => "BYTES",
        9 => "BOOL",
        10 => "FP16",
        11 => "FP64",
        12 => "UINT32",
        13 => "UINT64",
        16 => "BF16",
        _ => "UNKNOWN",
    };
}
