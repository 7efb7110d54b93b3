using System.Collections.Immutable;
using Turbine.Core;
using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Backends.Onnx.Tests;

/// <summary>Session options from the config, exercised by creating real sessions.</summary>
public sealed class OnnxSessionOptionsTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly string _model;

    public OnnxSessionOptionsTests()
    {
        _model = _dir.Write("m.onnx", TestGraph.Identity(TensorDataType.FP32, "batch", "n"));
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void CreateInstance_SupportedGraphLevel_SessionRuns(int level)
    {
        using var instance = TestInstances.Create(_model, Config() with { Optimization = new ModelOptimization { GraphLevel = level } });

        AssertRuns(instance);
    }

    [Fact]
    public void CreateInstance_GraphLevel5_ThrowsNamingLevelAndAllowedValues()
    {
        var e = Assert.Throws<InferenceException>(() =>
            TestInstances.Create(_model, Config() with { Optimization = new ModelOptimization { GraphLevel = 5 } }));

        Assert.Equal(StatusCode.InvalidArgument, e.Error.Code);
        Assert.Equal("optimization.graph.level 5 is not supported; use -1 (basic), 1 (extended), 0 or 2 (all)", e.Message);
    }

    [Fact]
    public void CreateInstance_ThreadAndExecutionModeParameters_SessionRuns()
    {
        var config = Config() with
        {
            Parameters = ImmutableDictionary<string, string>.Empty
                .Add("intra_op_thread_count", "2")
                .Add("inter_op_thread_count", "2")
                .Add("execution_mode", "1"),
        };

        using var instance = TestInstances.Create(_model, config);

        AssertRuns(instance);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    public void CreateInstance_SessionConfigEntryParameters_SessionRuns(string spinning)
    {
        var config = Config() with
        {
            Parameters = ImmutableDictionary<string, string>.Empty
                .Add("session.intra_op.allow_spinning", spinning)
                .Add("session.inter_op.allow_spinning", spinning),
        };

        using var instance = TestInstances.Create(_model, config);

        AssertRuns(instance);
    }

    [Theory]
    [InlineData("intra_op_thread_count", "two")]
    [InlineData("inter_op_thread_count", "-1")]
    [InlineData("execution_mode", "1.5")]
    public void CreateInstance_BadParameterValue_ThrowsNamingParameterAndValue(string name, string value)
    {
        var config = Config() with { Parameters = ImmutableDictionary<string, string>.Empty.Add(name, value) };

        var e = Assert.Throws<InferenceException>(() => TestInstances.Create(_model, config));

        Assert.Equal(StatusCode.InvalidArgument, e.Error.Code);
        Assert.Equal($"parameter '{name}' expects a non-negative integer, got \"{value}\"", e.Message);
    }

    // No GPU on the machines these tests run on. The CPU build lacks the GPU providers altogether; the GPU build
    // (-p:TurbineGpu=true) has them but cannot start them without the NVIDIA driver and CUDA libraries. Either way the
    // load fails naming the instance, its device and the provider, and says what to do: never a silent CPU fallback.
    [Theory]
    [InlineData(null, GpuExecutionProviders.Cuda)]
    [InlineData("tensorrt", GpuExecutionProviders.TensorRt)]
    [InlineData("cuda", GpuExecutionProviders.Cuda)]
    public void CreateInstance_KindGpuWithoutGpu_FailsNamingInstanceDeviceProviderAndRemedy(string? accelerator, string provider)
    {
        var config = Config() with
        {
            Optimization = new ModelOptimization
            {
                GpuExecutionAccelerators = accelerator is null ? [] : [new ExecutionAccelerator { Name = accelerator }],
            },
        };
        var spec = new Core.Backends.ModelInstanceSpec(config, _model, 1, "m_3", ModelInstanceKind.Gpu, 2, 1);

        var e = Assert.Throws<InferenceException>(() => TestInstances.Backend.CreateInstance(spec));

        Assert.Equal(StatusCode.InvalidArgument, e.Error.Code);
#if TURBINE_GPU
        Assert.StartsWith($"instance 'm_3' (KIND_GPU, device 2): ONNX Runtime's {provider} could not start: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("and that device 2 exists, or set the instance group's kind to KIND_CPU", e.Message, StringComparison.Ordinal);
#else
        Assert.Equal(
            $"instance 'm_3' (KIND_GPU, device 2) needs ONNX Runtime's {provider}, which this build of ONNX Runtime does not have (it has CPUExecutionProvider): "
            + "run Turbine's GPU build (built with -p:TurbineGpu=true, image ghcr.io/turbine-serving/turbine:<version>-gpu) on a machine with an NVIDIA GPU, or set the instance group's kind to KIND_CPU",
            e.Message);
#endif
    }

    [Fact]
    public void CreateInstance_KindCpuWithTensorRtFp16Accelerator_RunsOnCpuAsTritonDoes()
    {
        var config = Config() with
        {
            Optimization = new ModelOptimization
            {
                GpuExecutionAccelerators =
                [
                    new ExecutionAccelerator
                    {
                        Name = "tensorrt",
                        Parameters = ImmutableDictionary<string, string>.Empty.Add("precision_mode", "FP16"),
                    },
                ],
            },
        };

        using var instance = TestInstances.Create(_model, config);

        AssertRuns(instance);
    }

    [Fact]
    public void CreateInstance_UnknownGpuAccelerator_ThrowsNamingAccelerator()
    {
        var config = Config() with
        {
            Optimization = new ModelOptimization { GpuExecutionAccelerators = [new ExecutionAccelerator { Name = "openvino" }] },
        };

        var e = Assert.Throws<InferenceException>(() => TestInstances.Create(_model, config));

        Assert.Equal("gpu_execution_accelerator 'openvino' is not supported; use 'cuda' or 'tensorrt'", e.Message);
    }

    [Fact]
    public void CreateInstance_CpuAccelerator_ThrowsNamingAccelerator()
    {
        var config = Config() with
        {
            Optimization = new ModelOptimization { CpuExecutionAccelerators = [new ExecutionAccelerator { Name = "openvino" }] },
        };

        var e = Assert.Throws<InferenceException>(() => TestInstances.Create(_model, config));

        Assert.Contains("cpu_execution_accelerator 'openvino'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateInstance_CorruptModelFile_ThrowsNamingFileAndInstance()
    {
        var corrupt = _dir.Write("corrupt.onnx", [.. "this is not an onnx model"u8]);

        var e = Assert.Throws<InferenceException>(() => TestInstances.Create(corrupt));

        Assert.Equal(StatusCode.InvalidArgument, e.Error.Code);
        Assert.StartsWith($"ONNX Runtime failed to create a session for '{corrupt}' (instance test_0): ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateInstance_MissingModelFile_ThrowsInferenceException()
    {
        var missing = Path.Combine(_dir.Path, "missing.onnx");

        var e = Assert.Throws<InferenceException>(() => TestInstances.Create(missing));

        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    private static ModelConfig Config() => new() { Name = "m" };

    private static void AssertRuns(Core.Backends.IModelInstance instance)
    {
        var data = OnnxModelInstanceTests.SampleData(TensorDataType.FP32, 4);
        var (_, _, output) = TestInstances.RunIdentity(instance, TensorDataType.FP32, [2, 2], data);
        Assert.Equal(data, output);
    }
}
