using Onnx;

namespace Turbine.Server.Tests.Registry;

/// <summary>Distinguishable tiny models for registry tests: OUTPUT0 = INPUT0 + addend on FP32 [batch, 4].</summary>
internal static class AddModel
{
    public static byte[] Bytes(float addend)
    {
        var graph = new Turbine.Samples.OnnxGraphBuilder("add")
            .Input("INPUT0", TensorProto.Types.DataType.Float, "batch", "4")
            .Output("OUTPUT0", TensorProto.Types.DataType.Float, "batch", "4");
        graph.Node("Add", ["INPUT0", graph.Initializer("addend", [addend], 1)], "OUTPUT0");
        return graph.ToBytes();
    }

    public static string Write(string directory, float addend, string fileName = "model.onnx")
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        File.WriteAllBytes(path, Bytes(addend));
        return path;
    }
}
