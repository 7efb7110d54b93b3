using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using Turbine.Core;
using Turbine.Core.Backends;
using Turbine.Core.Config;

namespace Turbine.Backends.Onnx;

/// <summary>One GPU execution provider an instance's session gets, with ONNX Runtime's own option names.</summary>
/// <param name="Name">ONNX Runtime's provider name (<see cref="GpuExecutionProviders.TensorRt"/> or <see cref="GpuExecutionProviders.Cuda"/>).</param>
/// <param name="DeviceId">The CUDA device the instance runs on (from the instance group's <c>gpus</c>).</param>
/// <param name="Options">Provider options, ONNX Runtime keys and values (<c>device_id</c> included).</param>
internal sealed record GpuExecutionProvider(string Name, int DeviceId, ImmutableSortedDictionary<string, string> Options);

/// <summary>
/// Chooses a KIND_GPU instance's execution providers from its model config as Triton's onnxruntime backend does:
/// TensorRT first when <c>optimization.execution_accelerators.gpu_execution_accelerator</c> names <c>tensorrt</c>
/// (its Triton parameters mapped to the TensorRT provider's options, <c>precision_mode: FP16</c> →
/// <c>trt_fp16_enable</c>), then CUDA (options from a <c>cuda</c> accelerator's parameters and Triton's older model
/// parameters <c>cudnn_conv_algo_search</c>, <c>gpu_mem_limit</c>, <c>arena_extend_strategy</c>,
/// <c>do_copy_in_default_stream</c>), both on the instance's device. ONNX Runtime runs the nodes neither GPU provider
/// takes on its CPU provider, as in Triton. GPU accelerators are checked for every instance but apply only to KIND_GPU
/// ones (Triton ignores them on KIND_CPU instances). Pure: no ONNX Runtime call, so the mapping is unit-tested on any
/// machine; <see cref="OnnxSessionOptions"/> appends the result.
/// </summary>
internal static class GpuExecutionProviders
{
    /// <summary>ONNX Runtime's name of the CUDA execution provider.</summary>
    public const string Cuda = "CUDAExecutionProvider";

    /// <summary>ONNX Runtime's name of the TensorRT execution provider.</summary>
    public const string TensorRt = "TensorrtExecutionProvider";

    private enum OptionType
    {
        Int,
        Bool,
        Text,
        Path,
    }

    /// <summary>Triton's TensorRT accelerator parameters (onnxruntime_backend README) and the provider option each sets.</summary>
    private static readonly FrozenDictionary<string, (string Option, OptionType Type)> TensorRtParameters = new Dictionary<string, (string, OptionType)>
    {
        ["max_workspace_size_bytes"] = ("trt_max_workspace_size", OptionType.Int),
        ["trt_max_partition_iterations"] = ("trt_max_partition_iterations", OptionType.Int),
        ["trt_min_subgraph_size"] = ("trt_min_subgraph_size", OptionType.Int),
        ["int8_calibration_table_name"] = ("trt_int8_calibration_table_name", OptionType.Text),
        ["int8_use_native_calibration_table"] = ("trt_int8_use_native_calibration_table", OptionType.Bool),
        ["trt_dla_enable"] = ("trt_dla_enable", OptionType.Bool),
        ["trt_dla_core"] = ("trt_dla_core", OptionType.Int),
        ["trt_engine_cache_enable"] = ("trt_engine_cache_enable", OptionType.Bool),
        ["trt_engine_cache_path"] = ("trt_engine_cache_path", OptionType.Path),
        ["trt_engine_cache_prefix"] = ("trt_engine_cache_prefix", OptionType.Text),
        ["trt_dump_subgraphs"] = ("trt_dump_subgraphs", OptionType.Bool),
        ["trt_force_sequential_engine_build"] = ("trt_force_sequential_engine_build", OptionType.Bool),
        ["trt_context_memory_sharing_enable"] = ("trt_context_memory_sharing_enable", OptionType.Bool),
        ["trt_layer_norm_fp32_fallback"] = ("trt_layer_norm_fp32_fallback", OptionType.Bool),
        ["trt_timing_cache_enable"] = ("trt_timing_cache_enable", OptionType.Bool),
        ["trt_timing_cache_path"] = ("trt_timing_cache_path", OptionType.Path),
        ["trt_force_timing_cache"] = ("trt_force_timing_cache", OptionType.Bool),
        ["trt_detailed_build_log"] = ("trt_detailed_build_log", OptionType.Bool),
        ["trt_build_heuristics_enable"] = ("trt_build_heuristics_enable", OptionType.Bool),
        ["trt_sparsity_enable"] = ("trt_sparsity_enable", OptionType.Bool),
        ["trt_builder_optimization_level"] = ("trt_builder_optimization_level", OptionType.Int),
        ["trt_auxiliary_streams"] = ("trt_auxiliary_streams", OptionType.Int),
        ["trt_tactic_sources"] = ("trt_tactic_sources", OptionType.Text),
        ["trt_extra_plugin_lib_paths"] = ("trt_extra_plugin_lib_paths", OptionType.Text),
        ["trt_profile_min_shapes"] = ("trt_profile_min_shapes", OptionType.Text),
        ["trt_profile_max_shapes"] = ("trt_profile_max_shapes", OptionType.Text),
        ["trt_profile_opt_shapes"] = ("trt_profile_opt_shapes", OptionType.Text),
        ["trt_cuda_graph_enable"] = ("trt_cuda_graph_enable", OptionType.Bool),
        ["trt_dump_ep_context_model"] = ("trt_dump_ep_context_model", OptionType.Bool),
        ["trt_ep_context_file_path"] = ("trt_ep_context_file_path", OptionType.Path),
        ["trt_ep_context_embed_mode"] = ("trt_ep_context_embed_mode", OptionType.Int),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// CUDA provider options a <c>cuda</c> accelerator may set (passed as given, as Triton does). <c>device_id</c> comes
    /// from the instance group's <c>gpus</c>; the stream and external-allocator options take raw pointers and are refused.
    /// </summary>
    private static readonly FrozenSet<string> CudaOptions = FrozenSet.ToFrozenSet(
    [
        "gpu_mem_limit", "arena_extend_strategy", "cudnn_conv_algo_search", "do_copy_in_default_stream",
        "cudnn_conv_use_max_workspace", "cudnn_conv1d_pad_to_nc1d", "enable_cuda_graph", "tunable_op_enable",
        "tunable_op_tuning_enable", "tunable_op_max_tuning_duration_ms", "enable_skip_layer_norm_strict_mode",
        "prefer_nhwc", "use_ep_level_unified_stream", "use_tf32", "fuse_conv_bias", "sdpa_kernel",
    ], StringComparer.Ordinal);

    private static readonly string[] CudnnConvAlgoSearch = ["EXHAUSTIVE", "HEURISTIC", "DEFAULT"];
    private static readonly string[] ArenaExtendStrategy = ["kNextPowerOfTwo", "kSameAsRequested"];

    /// <summary>
    /// The GPU providers of one instance, in the order they are appended (TensorRT before CUDA); empty for a CPU
    /// instance. Throws <see cref="InferenceException"/> (InvalidArgument) naming the accelerator and parameter for a
    /// config the mapping refuses, whatever the instance kind.
    /// </summary>
    public static ImmutableArray<GpuExecutionProvider> Choose(ModelInstanceSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var accelerators = spec.Config.Optimization?.GpuExecutionAccelerators ?? [];
        ImmutableSortedDictionary<string, string>? tensorRt = null;
        var cuda = DeprecatedCudaParameters(spec.Config);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in accelerators)
        {
            if (!seen.Add(a.Name))
            {
                throw Invalid($"gpu_execution_accelerator '{a.Name}' is given twice; give its parameters once");
            }

            switch (a.Name)
            {
                case "tensorrt":
                    tensorRt = TensorRtOptions(a, spec);
                    break;
                case "cuda":
                    foreach (var (key, value) in a.Parameters)
                    {
                        if (!CudaOptions.Contains(key))
                        {
                            throw Invalid($"gpu_execution_accelerator 'cuda': parameter '{key}' is not supported; use one of {string.Join(", ", CudaOptions.Order(StringComparer.Ordinal))}");
                        }

                        cuda[key] = value;
                    }

                    break;
                default:
                    throw Invalid($"gpu_execution_accelerator '{a.Name}' is not supported; use 'cuda' or 'tensorrt'");
            }
        }

        if (spec.Kind != ModelInstanceKind.Gpu)
        {
            return [];
        }

        var device = spec.DeviceId.ToString(CultureInfo.InvariantCulture);
        cuda["device_id"] = device;
        var providers = ImmutableArray.CreateBuilder<GpuExecutionProvider>(2);
        if (tensorRt is not null)
        {
            providers.Add(new GpuExecutionProvider(TensorRt, spec.DeviceId, tensorRt.Add("device_id", device)));
        }

        providers.Add(new GpuExecutionProvider(Cuda, spec.DeviceId, cuda.ToImmutableSortedDictionary(StringComparer.Ordinal)));
        return providers.ToImmutable();
    }

    private static ImmutableSortedDictionary<string, string> TensorRtOptions(ExecutionAccelerator a, ModelInstanceSpec spec)
    {
        var options = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in a.Parameters)
        {
            if (key == "precision_mode")
            {
                switch (value)
                {
                    case "FP32":
                        break;
                    case "FP16":
                        options["trt_fp16_enable"] = "1";
                        break;
                    case "INT8":
                        options["trt_int8_enable"] = "1";
                        break;
                    default:
                        throw Invalid($"gpu_execution_accelerator 'tensorrt': precision_mode \"{value}\" is not supported; use FP32, FP16 or INT8");
                }

                continue;
            }

            if (!TensorRtParameters.TryGetValue(key, out var target))
            {
                throw Invalid($"gpu_execution_accelerator 'tensorrt': parameter '{key}' is not supported; use precision_mode or one of {string.Join(", ", TensorRtParameters.Keys.Order(StringComparer.Ordinal))}");
            }

            options[target.Option] = Convert(key, value, target.Type, spec);
        }

        return options.ToImmutable();
    }

    private static string Convert(string key, string value, OptionType type, ModelInstanceSpec spec)
    {
        switch (type)
        {
            case OptionType.Int:
                if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                {
                    throw Invalid($"gpu_execution_accelerator 'tensorrt': parameter '{key}' expects an integer, got \"{value}\"");
                }

                return number.ToString(CultureInfo.InvariantCulture);
            case OptionType.Bool:
                return value switch
                {
                    "1" or "true" or "True" => "1",
                    "0" or "false" or "False" => "0",
                    _ => throw Invalid($"gpu_execution_accelerator 'tensorrt': parameter '{key}' expects 1, 0, true or false, got \"{value}\""),
                };
            case OptionType.Path:
                return CachePath(key, value, spec);
            default:
                return value;
        }
    }

    /// <summary>
    /// Cache and context folders: an absolute path is the operator's choice (a shared volume); a relative one is taken
    /// inside the model's folder (the parent of the version folder) and may not leave it.
    /// </summary>
    private static string CachePath(string key, string value, ModelInstanceSpec spec)
    {
        if (value.Length == 0 || value.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid($"gpu_execution_accelerator 'tensorrt': parameter '{key}' expects a path, got \"{value}\"");
        }

        if (Path.IsPathFullyQualified(value))
        {
            return Path.GetFullPath(value);
        }

        var versionFolder = Path.GetDirectoryName(Path.GetFullPath(spec.ModelFilePath)) ?? "/";
        var modelFolder = Path.GetDirectoryName(versionFolder) ?? versionFolder;
        var full = Path.GetFullPath(value, modelFolder);
        var relative = Path.GetRelativePath(modelFolder, full);
        if (relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathFullyQualified(relative))
        {
            throw Invalid($"gpu_execution_accelerator 'tensorrt': parameter '{key}' \"{value}\" leaves the model's folder; give a path inside it or an absolute path");
        }

        return full;
    }

    /// <summary>Triton's older way to set CUDA options: model parameters with numeric codes.</summary>
    private static Dictionary<string, string> DeprecatedCudaParameters(ModelConfig config)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var parameters = config.Parameters;
        if (parameters.TryGetValue("cudnn_conv_algo_search", out var search))
        {
            options["cudnn_conv_algo_search"] = Code(CudnnConvAlgoSearch, "cudnn_conv_algo_search", search);
        }

        if (parameters.TryGetValue("arena_extend_strategy", out var arena))
        {
            options["arena_extend_strategy"] = Code(ArenaExtendStrategy, "arena_extend_strategy", arena);
        }

        if (parameters.TryGetValue("gpu_mem_limit", out var limit))
        {
            options["gpu_mem_limit"] = ulong.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
                ? bytes.ToString(CultureInfo.InvariantCulture)
                : throw Invalid($"parameter 'gpu_mem_limit' expects a byte count, got \"{limit}\"");
        }

        if (parameters.TryGetValue("do_copy_in_default_stream", out var copy))
        {
            options["do_copy_in_default_stream"] = copy is "0" or "1" ? copy : throw Invalid($"parameter 'do_copy_in_default_stream' expects 0 or 1, got \"{copy}\"");
        }

        return options;
    }

    private static string Code(string[] names, string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code < names.Length
            ? names[code]
            : throw Invalid($"parameter '{key}' expects 0..{names.Length - 1}, got \"{value}\"");

    private static InferenceException Invalid(string message) => new(StatusCode.InvalidArgument, message);
}
