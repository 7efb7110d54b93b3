using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Turbine.Core;
using Turbine.Core.Backends;
using Turbine.Core.Config;

namespace Turbine.Backends.Onnx;

/// <summary>
/// Session options from a model config, following Triton's onnxruntime backend: <c>optimization.graph.level</c>
/// (-1 basic, 1 extended, 0 or 2 all), parameters <c>intra_op_thread_count</c>, <c>inter_op_thread_count</c>,
/// <c>execution_mode</c> (0 sequential, 1 parallel), <c>session.*</c> ONNX Runtime session config entries; for KIND_GPU
/// instances the TensorRT and CUDA execution providers <see cref="GpuExecutionProviders"/> chooses (docs/gpu.md).
/// </summary>
internal static class OnnxSessionOptions
{
    public const string IntraOpSpinning = "session.intra_op.allow_spinning";
    public const string InterOpSpinning = "session.inter_op.allow_spinning";

    public static SessionOptions Build(ModelInstanceSpec spec)
    {
        var config = spec.Config;
        var options = new SessionOptions();
        try
        {
            options.GraphOptimizationLevel = (config.Optimization?.GraphLevel ?? 0) switch
            {
                -1 => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                1 => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                0 or 2 => GraphOptimizationLevel.ORT_ENABLE_ALL,
                var other => throw new InferenceException(StatusCode.InvalidArgument,
                    $"optimization.graph.level {other} is not supported; use -1 (basic), 1 (extended), 0 or 2 (all)"),
            };
            options.IntraOpNumThreads = IntParameter(config, "intra_op_thread_count", spec.IntraOpThreads);
            options.InterOpNumThreads = IntParameter(config, "inter_op_thread_count", 1);
            options.ExecutionMode = IntParameter(config, "execution_mode", 0) == 1 ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL;
            options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
            options.EnableCpuMemArena = IntParameter(config, "enable_mem_arena", 1) != 0;
            // ORT's thread pools spin while waiting for work by default. In a server they share the cores with the
            // HTTP/gRPC threads (and, on a small machine, with everything else): spinning took 2–4x throughput away
            // from the bench MLP on 2 cores (docs/benchmarks.md). Off unless the config's parameters say otherwise.
            foreach (var key in (ReadOnlySpan<string>)[IntraOpSpinning, InterOpSpinning])
            {
                if (!config.Parameters.ContainsKey(key))
                {
                    options.AddSessionConfigEntry(key, "0");
                }
            }

            foreach (var (key, value) in config.Parameters)
            {
                if (key.StartsWith("session.", StringComparison.Ordinal))
                {
                    AddConfigEntry(options, key, value);
                }
            }

            foreach (var a in config.Optimization?.CpuExecutionAccelerators ?? [])
            {
                throw new InferenceException(StatusCode.InvalidArgument,
                    $"cpu_execution_accelerator '{a.Name}' is not available in this build of ONNX Runtime (CPU execution provider only)");
            }

            foreach (var provider in GpuExecutionProviders.Choose(spec))
            {
                AppendGpu(options, spec, provider);
            }

            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    /// <summary>The GPU build's name for users: what to run instead when a provider is missing.</summary>
    internal const string UseGpuBuild =
        "run Turbine's GPU build (built with -p:TurbineGpu=true, image ghcr.io/turbine-serving/turbine:<version>-gpu) on a machine with an NVIDIA GPU, or set the instance group's kind to KIND_CPU";

    /// <summary>
    /// Appends one GPU provider, or fails naming the instance, the device, the provider and what to do: a provider this
    /// build of ONNX Runtime lacks (the CPU build) is refused before ONNX Runtime is asked; one it has but cannot start
    /// (no driver, no CUDA/cuDNN/TensorRT libraries) fails with ONNX Runtime's reason. Never a silent CPU fallback.
    /// </summary>
    private static void AppendGpu(SessionOptions options, ModelInstanceSpec spec, GpuExecutionProvider provider)
    {
        var what = $"instance '{spec.InstanceName}' (KIND_GPU, device {provider.DeviceId})";
        var available = OrtEnv.Instance().GetAvailableProviders();
        if (!available.Contains(provider.Name, StringComparer.Ordinal))
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{what} needs ONNX Runtime's {provider.Name}, which this build of ONNX Runtime does not have (it has {string.Join(", ", available)}): {UseGpuBuild}");
        }

        try
        {
            var settings = provider.Options.ToDictionary(StringComparer.Ordinal);
            if (provider.Name == GpuExecutionProviders.TensorRt)
            {
                using var trt = new OrtTensorRTProviderOptions();
                trt.UpdateOptions(settings);
                options.AppendExecutionProvider_Tensorrt(trt);
            }
            else
            {
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(settings);
                options.AppendExecutionProvider_CUDA(cuda);
            }
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"{what}: ONNX Runtime's {provider.Name} could not start: {e.Message.TrimEnd()}; check the NVIDIA driver, the CUDA 13 and cuDNN 9 libraries (TensorRT 10 for 'tensorrt') and that device {provider.DeviceId} exists, or set the instance group's kind to KIND_CPU", e);
        }
    }

    /// <summary>A <c>session.*</c> parameter is an ONNX Runtime session config entry (e.g. <c>session.intra_op.allow_spinning</c>).</summary>
    private static void AddConfigEntry(SessionOptions options, string key, string value)
    {
        try
        {
            options.AddSessionConfigEntry(key, value);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InferenceException(StatusCode.InvalidArgument, $"parameter '{key}': {e.Message}", e);
        }
    }

    private static int IntParameter(ModelConfig config, string name, int fallback)
    {
        if (!config.Parameters.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new InferenceException(StatusCode.InvalidArgument,
                $"parameter '{name}' expects a non-negative integer, got \"{text}\"");
        }

        return value;
    }
}
