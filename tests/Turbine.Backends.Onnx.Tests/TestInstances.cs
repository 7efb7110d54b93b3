using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Backends.Onnx.Tests;

/// <summary>Creates real ONNX Runtime instances through <see cref="OnnxBackend"/> and runs them.</summary>
internal static class TestInstances
{
    public static readonly OnnxBackend Backend = new();

    public static ModelInstanceSpec Spec(string modelFile, ModelConfig? config = null, ModelInstanceKind kind = ModelInstanceKind.Cpu) =>
        new(config ?? new ModelConfig { Name = "test" }, modelFile, 1, "test_0", kind, 0, 1);

    public static IModelInstance Create(string modelFile, ModelConfig? config = null) => Backend.CreateInstance(Spec(modelFile, config));

    /// <summary>Runs the identity model on one input and returns a copy of OUTPUT0 (the native output is released).</summary>
    public static (TensorDataType Type, long[] Shape, byte[] Data) RunIdentity(IModelInstance instance, TensorDataType type, long[] shape, byte[] data)
    {
        using var input = new InferenceTensor("INPUT0", type, shape, data);
        var result = instance.Execute([input], ["OUTPUT0"], CancellationToken.None);
        var output = Assert.Single(result.Outputs);
        try
        {
            Assert.Equal("OUTPUT0", output.Name);
            return (output.DataType, output.Shape, output.Data.ToArray());
        }
        finally
        {
            output.Dispose();
        }
    }
}
