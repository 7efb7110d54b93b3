using Turbine.Core;
using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Backends.Onnx.Tests;

/// <summary><see cref="OnnxBackend.AutoComplete"/> on real model files.</summary>
public sealed class OnnxBackendAutoCompleteTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly OnnxBackend _backend = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AutoComplete_EmptyConfigAllFirstDimsDynamic_DerivesTensorsAndDefaultMaxBatchSize()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32, "batch", "n"));

        var config = _backend.AutoComplete(new ModelConfig { Name = "m" }, file);

        Assert.Equal(OnnxBackend.DefaultMaxBatchSize, config.MaxBatchSize);
        Assert.Equal(4, config.MaxBatchSize);
        var input = Assert.Single(config.Inputs);
        Assert.Equal(("INPUT0", TensorDataType.FP32), (input.Name, input.DataType));
        Assert.Equal([-1L], input.Dims.ToArray());
        var output = Assert.Single(config.Outputs);
        Assert.Equal(("OUTPUT0", TensorDataType.FP32), (output.Name, output.DataType));
        Assert.Equal([-1L], output.Dims.ToArray());
    }

    [Fact]
    public void AutoComplete_EmptyConfigFixedFirstDim_MaxBatchSizeZeroAndFullDims()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.Int64, "2", "3"));

        var config = _backend.AutoComplete(new ModelConfig { Name = "m" }, file);

        Assert.Equal(0, config.MaxBatchSize);
        Assert.Equal([2L, 3L], Assert.Single(config.Inputs).Dims.ToArray());
        Assert.Equal([2L, 3L], Assert.Single(config.Outputs).Dims.ToArray());
        Assert.Equal(TensorDataType.Int64, config.Inputs[0].DataType);
    }

    [Fact]
    public void AutoComplete_OneFixedFirstDimAmongDynamic_MaxBatchSizeZero()
    {
        var file = _dir.Write("m.onnx", new TestGraph("m")
            .Input("A", TensorDataType.FP32, "batch", "3")
            .Input("B", TensorDataType.FP32, "1", "3")
            .Output("C", TensorDataType.FP32, "batch", "3")
            .Node("Add", ["A", "B"], "C")
            .ToBytes());

        var config = _backend.AutoComplete(new ModelConfig { Name = "m" }, file);

        Assert.Equal(0, config.MaxBatchSize);
        Assert.Equal(["A", "B"], config.Inputs.Select(i => i.Name));
        Assert.Equal([-1L, 3L], config.Inputs[0].Dims.ToArray());
        Assert.Equal([1L, 3L], config.Inputs[1].Dims.ToArray());
    }

    [Fact]
    public void AutoComplete_ExplicitMaxBatchSizeNoTensors_KeepsItAndDropsBatchDim()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.UInt8, "batch", "5"));

        var config = _backend.AutoComplete(new ModelConfig { Name = "m", MaxBatchSize = 16 }, file);

        Assert.Equal(16, config.MaxBatchSize);
        Assert.Equal([5L], Assert.Single(config.Inputs).Dims.ToArray());
    }

    [Fact]
    public void AutoComplete_DeclaredInputOnly_DerivesMissingOutput()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32, "batch", "5"));
        var declared = new ModelConfig
        {
            Name = "m",
            MaxBatchSize = 2,
            Inputs = [new ModelInput { Name = "INPUT0", DataType = TensorDataType.FP32, Dims = [5] }],
        };

        var config = _backend.AutoComplete(declared, file);

        Assert.Equal(2, config.MaxBatchSize);
        Assert.Same(declared.Inputs[0], Assert.Single(config.Inputs));
        Assert.Equal([5L], Assert.Single(config.Outputs).Dims.ToArray());
    }

    [Fact]
    public void AutoComplete_WrongDataType_ThrowsNamingTensorExpectedAndActual()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32, "batch", "5"));
        var declared = Declared(4, new ModelInput { Name = "INPUT0", DataType = TensorDataType.Int32, Dims = [5] });

        var e = Assert.Throws<InferenceException>(() => _backend.AutoComplete(declared, file));

        Assert.Equal(StatusCode.InvalidArgument, e.Error.Code);
        Assert.Equal("input 'INPUT0': config data_type is TYPE_INT32 but the model declares TYPE_FP32", e.Message);
    }

    [Fact]
    public void AutoComplete_WrongRank_ThrowsNamingTensorExpectedAndActual()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32, "batch", "5"));
        var declared = Declared(4, new ModelInput { Name = "INPUT0", DataType = TensorDataType.FP32, Dims = [5, 1] });

        var e = Assert.Throws<InferenceException>(() => _backend.AutoComplete(declared, file));

        Assert.Equal(
            "input 'INPUT0': config implies rank 3 ([-1,5,1] with the batch dimension) but the model's rank is 2 ([-1,5])",
            e.Message);
    }

    [Fact]
    public void AutoComplete_WrongFixedDim_ThrowsNamingTensorExpectedAndActual()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32, "batch", "5"));
        var declared = Declared(4, new ModelInput { Name = "INPUT0", DataType = TensorDataType.FP32, Dims = [6] });

        var e = Assert.Throws<InferenceException>(() => _backend.AutoComplete(declared, file));

        Assert.Equal("input 'INPUT0': config dims [-1,6] contradict the model's shape [-1,5] at dimension 1", e.Message);
    }

    [Fact]
    public void AutoComplete_FixedConfigDimOverSymbolicModelDim_Accepted()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32, "batch", "n"));
        var declared = Declared(4, new ModelInput { Name = "INPUT0", DataType = TensorDataType.FP32, Dims = [7] });

        var config = _backend.AutoComplete(declared, file);

        Assert.Equal([7L], Assert.Single(config.Inputs).Dims.ToArray());
        Assert.Equal([-1L], Assert.Single(config.Outputs).Dims.ToArray());
    }

    [Fact]
    public void AutoComplete_VariableConfigDimOverFixedModelDim_RejectedAsTritonDoes()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32, "batch", "5"));
        var declared = Declared(4, new ModelInput { Name = "INPUT0", DataType = TensorDataType.FP32, Dims = [-1] });

        var e = Assert.Throws<InferenceException>(() => _backend.AutoComplete(declared, file));

        Assert.Equal("input 'INPUT0': config dims [-1,-1] contradict the model's shape [-1,5] at dimension 1", e.Message);
    }

    [Fact]
    public void AutoComplete_UndeclaredScalarTensorWithBatching_ThrowsNamingTensor()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32));

        var e = Assert.Throws<InferenceException>(() => _backend.AutoComplete(new ModelConfig { Name = "m", MaxBatchSize = 4 }, file));

        Assert.Contains("input 'INPUT0'", e.Message, StringComparison.Ordinal);
        Assert.Contains("max_batch_size is 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoComplete_ConfigInputNotInModel_ThrowsNamingTensorAndModelInputs()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32, "batch", "5"));
        var declared = Declared(4, new ModelInput { Name = "IMAGE", DataType = TensorDataType.FP32, Dims = [5] });

        var e = Assert.Throws<InferenceException>(() => _backend.AutoComplete(declared, file));

        Assert.Equal("configuration input 'IMAGE' is not in the model; the model's inputs are ['INPUT0']", e.Message);
    }

    [Fact]
    public void AutoComplete_ConfigOutputNotInModel_ThrowsNamingTensor()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32, "batch", "5"));
        var declared = new ModelConfig
        {
            Name = "m",
            MaxBatchSize = 4,
            Outputs = [new ModelOutput { Name = "SCORES", DataType = TensorDataType.FP32, Dims = [5] }],
        };

        var e = Assert.Throws<InferenceException>(() => _backend.AutoComplete(declared, file));

        Assert.Equal("configuration output 'SCORES' is not in the model; the model's outputs are ['OUTPUT0']", e.Message);
    }

    [Fact]
    public void AutoComplete_DeclaredInputFixedFirstDimWithBatching_ThrowsNamingTensorAndDims()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32, "2", "5"));
        var declared = Declared(4, new ModelInput { Name = "INPUT0", DataType = TensorDataType.FP32, Dims = [5] });

        var e = Assert.Throws<InferenceException>(() => _backend.AutoComplete(declared, file));

        Assert.Equal(
            "input 'INPUT0': max_batch_size is 4 but the model fixes the first dimension to 2; use max_batch_size 0 or export the model with a dynamic batch dimension",
            e.Message);
    }

    [Fact]
    public void AutoComplete_UndeclaredTensorFixedFirstDimWithBatching_ThrowsNamingTensorAndDims()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32, "2", "5"));

        var e = Assert.Throws<InferenceException>(() => _backend.AutoComplete(new ModelConfig { Name = "m", MaxBatchSize = 4 }, file));

        Assert.Contains("input 'INPUT0'", e.Message, StringComparison.Ordinal);
        Assert.Contains("max_batch_size is 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("first dimension to 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoComplete_NonBatchingConfigMatchingModel_Accepted()
    {
        var file = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP16, "2", "5"));
        var declared = Declared(0, new ModelInput { Name = "INPUT0", DataType = TensorDataType.FP16, Dims = [2, 5] });

        var config = _backend.AutoComplete(declared, file);

        Assert.Equal(0, config.MaxBatchSize);
        Assert.Equal([2L, 5L], Assert.Single(config.Outputs).Dims.ToArray());
    }

    [Fact]
    public void AutoComplete_CorruptModelFile_ThrowsNamingFile()
    {
        var file = _dir.Write("m.onnx", [0x08, 0xFF, 0xFF, 0x13, 0x37, 0x00, 0x42]);

        var e = Assert.Throws<InferenceException>(() => _backend.AutoComplete(new ModelConfig { Name = "m" }, file));

        Assert.Equal(StatusCode.InvalidArgument, e.Error.Code);
        Assert.StartsWith($"ONNX Runtime cannot read '{file}'", e.Message, StringComparison.Ordinal);
    }

    private static ModelConfig Declared(int maxBatchSize, ModelInput input) =>
        new() { Name = "m", MaxBatchSize = maxBatchSize, Inputs = [input] };
}
