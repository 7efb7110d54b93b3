using Onnx;
using Turbine.Core.Tensors;

namespace Turbine.Server.Tests.Http;

/// <summary>
/// A model repository with one ONNX identity model per datatype: <c>identity_&lt;type&gt;</c>, INPUT0 → OUTPUT0,
/// ONNX shape ["batch","n"], config <c>max_batch_size: 8</c> and <c>dims: [ -1 ]</c>. Built with OnnxSharp the
/// with the sample generator's <c>OnnxGraphBuilder</c>.
/// </summary>
internal static class IdentityRepository
{
    public static string ModelName(TensorDataType type) => "identity_" + type.ToWireName().ToLowerInvariant();

    public static void Create(string root)
    {
        foreach (var type in TensorDataTypes.All())
        {
            var dir = Path.Combine(root, ModelName(type));
            Directory.CreateDirectory(Path.Combine(dir, "1"));
            File.WriteAllBytes(Path.Combine(dir, "1", "model.onnx"), Model(type));
            var configType = type == TensorDataType.Bytes ? "TYPE_STRING" : "TYPE_" + type.ToWireName();
            File.WriteAllText(
                Path.Combine(dir, "config.pbtxt"),
                $$"""
                name: "{{ModelName(type)}}"
                platform: "onnxruntime_onnx"
                max_batch_size: 8
                input [ { name: "INPUT0" data_type: {{configType}} dims: [ -1 ] } ]
                output [ { name: "OUTPUT0" data_type: {{configType}} dims: [ -1 ] } ]
                """);
        }
    }

    private static int OnnxType(TensorDataType type) => type switch
    {
        TensorDataType.FP32 => 1,
        TensorDataType.UInt8 => 2,
        TensorDataType.Int8 => 3,
        TensorDataType.UInt16 => 4,
        TensorDataType.Int16 => 5,
        TensorDataType.Int32 => 6,
        TensorDataType.Int64 => 7,
        TensorDataType.Bytes => 8,
        TensorDataType.Bool => 9,
        TensorDataType.FP16 => 10,
        TensorDataType.FP64 => 11,
        TensorDataType.UInt32 => 12,
        TensorDataType.UInt64 => 13,
        TensorDataType.BF16 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static byte[] Model(TensorDataType type)
    {
        var onnxType = (TensorProto.Types.DataType)OnnxType(type);
        var graph = new Turbine.Samples.OnnxGraphBuilder("identity")
            .Input("INPUT0", onnxType, "batch", "n")
            .Output("OUTPUT0", onnxType, "batch", "n");
        graph.Node("Identity", ["INPUT0"], "OUTPUT0");
        return graph.ToBytes();
    }
}
