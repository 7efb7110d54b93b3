using Onnx;

namespace Turbine.EndToEnd.Tests;

/// <summary>Distinguishable tiny models: OUTPUT0 = INPUT0 + addend on FP32 [batch, 4] (addend 0 is identity-like).</summary>
internal static class AddModel
{
    public static string Write(string directory, float addend)
    {
        var graph = new Turbine.Samples.OnnxGraphBuilder("add")
            .Input("INPUT0", TensorProto.Types.DataType.Float, "batch", "4")
            .Output("OUTPUT0", TensorProto.Types.DataType.Float, "batch", "4");
        graph.Node("Add", ["INPUT0", graph.Initializer("addend", [addend], 1)], "OUTPUT0");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "model.onnx");
        File.WriteAllBytes(path, graph.ToBytes());
        return path;
    }
}
