using System.Collections.Immutable;
using Turbine.Core;
using Turbine.Core.Backends;
using Turbine.Core.Config;

namespace Turbine.Backends.Onnx.Tests;

/// <summary>The mapping from a model config to GPU execution providers and their ONNX Runtime options (no ORT call).</summary>
public sealed class GpuExecutionProvidersTests
{
    private const string ModelFile = "/repo/resnet/1/model.onnx";

    [Fact]
    public void Choose_KindGpuWithoutAccelerators_CudaOnTheInstanceDevice()
    {
        var provider = Assert.Single(GpuExecutionProviders.Choose(Spec(Config(), ModelInstanceKind.Gpu, device: 3)));

        Assert.Equal(GpuExecutionProviders.Cuda, provider.Name);
        Assert.Equal(3, provider.DeviceId);
        Assert.Equal(Text(new Dictionary<string, string>() { ["device_id"] = "3" }), Text(provider.Options));
    }

    [Fact]
    public void Choose_TensorRtFp16_TensorRtFirstWithFp16ThenCuda()
    {
        var config = Config(Accelerator("tensorrt",
            ("precision_mode", "FP16"), ("max_workspace_size_bytes", "1073741824"), ("trt_engine_cache_enable", "true"),
            ("trt_engine_cache_path", "/cache/trt"), ("trt_builder_optimization_level", "3"), ("trt_profile_min_shapes", "input:1x3x224x224")));

        var providers = GpuExecutionProviders.Choose(Spec(config, ModelInstanceKind.Gpu, device: 1));

        Assert.Equal([GpuExecutionProviders.TensorRt, GpuExecutionProviders.Cuda], providers.Select(p => p.Name));
        Assert.Equal(Text(new Dictionary<string, string>()
        {
            ["device_id"] = "1",
            ["trt_builder_optimization_level"] = "3",
            ["trt_engine_cache_enable"] = "1",
            ["trt_engine_cache_path"] = "/cache/trt",
            ["trt_fp16_enable"] = "1",
            ["trt_max_workspace_size"] = "1073741824",
            ["trt_profile_min_shapes"] = "input:1x3x224x224",
        }), Text(providers[0].Options));
        Assert.Equal(Text(new Dictionary<string, string>() { ["device_id"] = "1" }), Text(providers[1].Options));
    }

    [Theory]
    [InlineData("FP32", null)]
    [InlineData("INT8", "trt_int8_enable")]
    public void Choose_PrecisionMode_SetsTheMatchingFlagOnly(string mode, string? flag)
    {
        var trt = GpuExecutionProviders.Choose(Spec(Config(Accelerator("tensorrt", ("precision_mode", mode))), ModelInstanceKind.Gpu))[0];

        string[] expected = flag is null ? ["device_id"] : ["device_id", flag];
        Assert.Equal(expected, trt.Options.Keys);
        Assert.DoesNotContain("trt_fp16_enable", trt.Options.Keys);
    }

    [Fact]
    public void Choose_RelativeEngineCachePath_ResolvedInsideTheModelFolder()
    {
        var trt = GpuExecutionProviders.Choose(Spec(Config(Accelerator("tensorrt", ("trt_engine_cache_path", "trt-cache"))), ModelInstanceKind.Gpu))[0];

        Assert.Equal("/repo/resnet/trt-cache", trt.Options["trt_engine_cache_path"]);
    }

    [Fact]
    public void Choose_RelativeCachePathLeavingModelFolder_Refused()
    {
        var e = Assert.Throws<InferenceException>(() =>
            GpuExecutionProviders.Choose(Spec(Config(Accelerator("tensorrt", ("trt_timing_cache_path", "../../etc"))), ModelInstanceKind.Gpu)));

        Assert.Equal(StatusCode.InvalidArgument, e.Error.Code);
        Assert.Equal("gpu_execution_accelerator 'tensorrt': parameter 'trt_timing_cache_path' \"../../etc\" leaves the model's folder; give a path inside it or an absolute path", e.Message);
    }

    [Fact]
    public void Choose_CudaAcceleratorAndDeprecatedParameters_MergedAcceleratorWins()
    {
        var config = Config(Accelerator("cuda", ("cudnn_conv_use_max_workspace", "0"), ("use_ep_level_unified_stream", "1"), ("cudnn_conv_algo_search", "DEFAULT"))) with
        {
            Parameters = ImmutableDictionary<string, string>.Empty
                .Add("cudnn_conv_algo_search", "1")
                .Add("gpu_mem_limit", "4294967200")
                .Add("arena_extend_strategy", "1")
                .Add("do_copy_in_default_stream", "0"),
        };

        var cuda = Assert.Single(GpuExecutionProviders.Choose(Spec(config, ModelInstanceKind.Gpu, device: 2)));

        Assert.Equal(Text(new Dictionary<string, string>()
        {
            ["arena_extend_strategy"] = "kSameAsRequested",
            ["cudnn_conv_algo_search"] = "DEFAULT",
            ["cudnn_conv_use_max_workspace"] = "0",
            ["device_id"] = "2",
            ["do_copy_in_default_stream"] = "0",
            ["gpu_mem_limit"] = "4294967200",
            ["use_ep_level_unified_stream"] = "1",
        }), Text(cuda.Options));
    }

    [Fact]
    public void Choose_KindCpuWithAccelerators_NoGpuProviderButStillChecked()
    {
        Assert.Empty(GpuExecutionProviders.Choose(Spec(Config(Accelerator("tensorrt", ("precision_mode", "FP16"))), ModelInstanceKind.Cpu)));

        var e = Assert.Throws<InferenceException>(() =>
            GpuExecutionProviders.Choose(Spec(Config(Accelerator("tensorrt", ("precision_mode", "FP8"))), ModelInstanceKind.Cpu)));
        Assert.Equal("gpu_execution_accelerator 'tensorrt': precision_mode \"FP8\" is not supported; use FP32, FP16 or INT8", e.Message);
    }

    [Theory]
    [InlineData("tensorrt", "trt_fp16_enabled", "1", "gpu_execution_accelerator 'tensorrt': parameter 'trt_fp16_enabled' is not supported; use precision_mode or one of ")]
    [InlineData("tensorrt", "max_workspace_size_bytes", "1GB", "gpu_execution_accelerator 'tensorrt': parameter 'max_workspace_size_bytes' expects an integer, got \"1GB\"")]
    [InlineData("tensorrt", "trt_engine_cache_enable", "yes", "gpu_execution_accelerator 'tensorrt': parameter 'trt_engine_cache_enable' expects 1, 0, true or false, got \"yes\"")]
    [InlineData("cuda", "device_id", "1", "gpu_execution_accelerator 'cuda': parameter 'device_id' is not supported; use one of ")]
    [InlineData("cuda", "user_compute_stream", "140000000", "gpu_execution_accelerator 'cuda': parameter 'user_compute_stream' is not supported; use one of ")]
    [InlineData("openvino", "device_type", "GPU", "gpu_execution_accelerator 'openvino' is not supported; use 'cuda' or 'tensorrt'")]
    public void Choose_BadAcceleratorParameter_RefusedNamingIt(string accelerator, string key, string value, string message)
    {
        var e = Assert.Throws<InferenceException>(() =>
            GpuExecutionProviders.Choose(Spec(Config(Accelerator(accelerator, (key, value))), ModelInstanceKind.Gpu)));

        Assert.Equal(StatusCode.InvalidArgument, e.Error.Code);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cudnn_conv_algo_search", "3", "parameter 'cudnn_conv_algo_search' expects 0..2, got \"3\"")]
    [InlineData("arena_extend_strategy", "-1", "parameter 'arena_extend_strategy' expects 0..1, got \"-1\"")]
    [InlineData("gpu_mem_limit", "4G", "parameter 'gpu_mem_limit' expects a byte count, got \"4G\"")]
    [InlineData("do_copy_in_default_stream", "true", "parameter 'do_copy_in_default_stream' expects 0 or 1, got \"true\"")]
    public void Choose_BadDeprecatedCudaParameter_RefusedNamingIt(string key, string value, string message)
    {
        var config = Config() with { Parameters = ImmutableDictionary<string, string>.Empty.Add(key, value) };

        var e = Assert.Throws<InferenceException>(() => GpuExecutionProviders.Choose(Spec(config, ModelInstanceKind.Gpu)));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Choose_SameAcceleratorTwice_Refused()
    {
        var config = Config(Accelerator("cuda"), Accelerator("cuda"));

        var e = Assert.Throws<InferenceException>(() => GpuExecutionProviders.Choose(Spec(config, ModelInstanceKind.Gpu)));

        Assert.Equal("gpu_execution_accelerator 'cuda' is given twice; give its parameters once", e.Message);
    }

    /// <summary>Options as one sorted "key=value;..." string, so a failure shows the whole difference.</summary>
    private static string Text(IReadOnlyDictionary<string, string> options) =>
        string.Join(";", options.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private static ExecutionAccelerator Accelerator(string name, params (string Key, string Value)[] parameters) => new()
    {
        Name = name,
        Parameters = parameters.ToImmutableDictionary(p => p.Key, p => p.Value),
    };

    private static ModelConfig Config(params ExecutionAccelerator[] accelerators) => new()
    {
        Name = "resnet",
        Optimization = new ModelOptimization { GpuExecutionAccelerators = [.. accelerators] },
    };

    private static ModelInstanceSpec Spec(ModelConfig config, ModelInstanceKind kind, int device = 0) =>
        new(config, ModelFile, 1, "resnet_0", kind, device, 1);
}
