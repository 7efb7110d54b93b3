using static Turbine.Core.Config.FieldSpec;

namespace Turbine.Core.Config;

/// <summary>
/// The one schema of Triton's <c>model_config.proto</c> that Turbine supports, shared by the text-format and
/// JSON readers. Fields listed as unsupported are known Triton fields that Turbine rejects with a clear error.
/// </summary>
internal static class ConfigSchema
{
    public static readonly MessageSchema Reshape = new("ModelTensorReshape", [I64("shape", repeated: true)]);

    public static readonly MessageSchema Input = new(
        "ModelInput",
        [
            Str("name"), En("data_type", ConfigEnum.DataType), En("format", ConfigEnum.Format), I64("dims", repeated: true),
            Msg("reshape", Reshape), Bool("is_shape_tensor"), Bool("allow_ragged_batch"), Bool("optional"),
        ],
        unsupported: ["is_non_linear_format_io"]);

    public static readonly MessageSchema Output = new(
        "ModelOutput",
        [
            Str("name"), En("data_type", ConfigEnum.DataType), I64("dims", repeated: true), Msg("reshape", Reshape),
            Str("label_filename"), Bool("is_shape_tensor"),
        ],
        unsupported: ["is_non_linear_format_io"]);

    public static readonly MessageSchema Latest = new("ModelVersionPolicy.Latest", [I32("num_versions")]);

    public static readonly MessageSchema AllVersions = new("ModelVersionPolicy.All", []);

    public static readonly MessageSchema Specific = new("ModelVersionPolicy.Specific", [I64("versions", repeated: true)]);

    public static readonly MessageSchema VersionPolicy = new(
        "ModelVersionPolicy",
        [Msg("latest", Latest), Msg("all", AllVersions), Msg("specific", Specific)],
        oneofs: [["latest", "all", "specific"]]);

    public static readonly MessageSchema InstanceGroup = new(
        "ModelInstanceGroup",
        [Str("name"), I32("count"), En("kind", ConfigEnum.InstanceKind), I32("gpus", repeated: true)],
        unsupported: ["rate_limiter", "secondary_devices", "profile", "passive", "host_policy"]);

    public static readonly MessageSchema QueuePolicy = new(
        "ModelQueuePolicy",
        [
            En("timeout_action", ConfigEnum.TimeoutAction), I64("default_timeout_microseconds"),
            Bool("allow_timeout_override"), I32("max_queue_size"),
        ]);

    public static readonly MessageSchema DynamicBatching = new(
        "ModelDynamicBatching",
        [
            I32("preferred_batch_size", repeated: true), I64("max_queue_delay_microseconds"), Bool("preserve_ordering"),
            I32("priority_levels"), I32("default_priority_level"), Msg("default_queue_policy", QueuePolicy),
            MapOf("priority_queue_policy", FieldType.UInt64, Msg("value", QueuePolicy)),
        ]);

    public static readonly MessageSchema Control = new(
        "ModelSequenceBatching.Control",
        [
            En("kind", ConfigEnum.ControlKind), I32("int32_false_true", repeated: true),
            F32("fp32_false_true", repeated: true), Bool("bool_false_true", repeated: true),
            En("data_type", ConfigEnum.DataType),
        ]);

    public static readonly MessageSchema ControlInput = new(
        "ModelSequenceBatching.ControlInput", [Str("name"), Msg("control", Control, repeated: true)]);

    public static readonly MessageSchema Direct = new(
        "ModelSequenceBatching.StrategyDirect",
        [I64("max_queue_delay_microseconds"), F32("minimum_slot_utilization")]);

    public static readonly MessageSchema Oldest = new(
        "ModelSequenceBatching.StrategyOldest",
        [
            I32("max_candidate_sequences"), I32("preferred_batch_size", repeated: true),
            I64("max_queue_delay_microseconds"), Bool("preserve_ordering"),
        ]);

    public static readonly MessageSchema InitialState = new(
        "ModelSequenceBatching.InitialState",
        [En("data_type", ConfigEnum.DataType), I64("dims", repeated: true), Bool("zero_data"), Str("data_file"), Str("name")],
        oneofs: [["zero_data", "data_file"]]);

    public static readonly MessageSchema State = new(
        "ModelSequenceBatching.State",
        [
            Str("input_name"), Str("output_name"), En("data_type", ConfigEnum.DataType), I64("dims", repeated: true),
            Msg("initial_state", InitialState, repeated: true),
        ],
        unsupported: ["use_same_buffer_for_input_output", "use_growable_memory"]);

    public static readonly MessageSchema SequenceBatching = new(
        "ModelSequenceBatching",
        [
            I64("max_sequence_idle_microseconds"), Msg("control_input", ControlInput, repeated: true),
            Msg("direct", Direct), Msg("oldest", Oldest), Msg("state", State, repeated: true),
        ],
        unsupported: ["iterative_sequence"],
        oneofs: [["direct", "oldest"]]);

    public static readonly MessageSchema Graph = new("ModelOptimizationPolicy.Graph", [I32("level")]);

    public static readonly MessageSchema Accelerator = new(
        "ModelOptimizationPolicy.ExecutionAccelerators.Accelerator",
        [Str("name"), MapOf("parameters", FieldType.String, Str("value"))]);

    public static readonly MessageSchema ExecutionAccelerators = new(
        "ModelOptimizationPolicy.ExecutionAccelerators",
        [Msg("gpu_execution_accelerator", Accelerator, repeated: true), Msg("cpu_execution_accelerator", Accelerator, repeated: true)]);

    public static readonly MessageSchema Optimization = new(
        "ModelOptimizationPolicy",
        [Msg("graph", Graph), En("priority", ConfigEnum.Priority), Msg("execution_accelerators", ExecutionAccelerators)],
        unsupported: ["cuda", "input_pinned_memory", "output_pinned_memory", "gather_kernel_buffer_threshold", "eager_batching"]);

    public static readonly MessageSchema WarmupInput = new(
        "ModelWarmup.Input",
        [
            En("data_type", ConfigEnum.DataType), I64("dims", repeated: true), Bool("zero_data"), Bool("random_data"),
            Str("input_data_file"),
        ],
        oneofs: [["zero_data", "random_data", "input_data_file"]]);

    public static readonly MessageSchema Warmup = new(
        "ModelWarmup",
        [Str("name"), I32("batch_size"), MapOf("inputs", FieldType.String, Msg("value", WarmupInput)), I32("count")]);

    public static readonly MessageSchema Parameter = new("ModelParameter", [Str("string_value")]);

    public static readonly MessageSchema ResponseCache = new("ModelResponseCache", [Bool("enable")]);

    public static readonly MessageSchema TransactionPolicy = new("ModelTransactionPolicy", [Bool("decoupled")]);

    public static readonly MessageSchema EnsembleStep = new(
        "ModelEnsembling.Step",
        [
            Str("model_name"), I64("model_version"), MapOf("input_map", FieldType.String, Str("value")),
            MapOf("output_map", FieldType.String, Str("value")),
        ],
        unsupported: ["model_namespace"]);

    public static readonly MessageSchema Ensembling = new(
        "ModelEnsembling", [Msg("step", EnsembleStep, repeated: true), U64("max_inflight_requests")]);

    /// <summary>Triton <c>ModelConfig</c> fields Turbine does not support.</summary>
    public static readonly string[] UnsupportedModelConfigFields =
    [
        "runtime", "batch_input", "batch_output", "cc_model_filenames", "metric_tags",
        "model_operations", "model_repository_agents", "model_metrics",
    ];

    public static readonly MessageSchema ModelConfig = new(
        "ModelConfig",
        [
            Str("name"), Str("platform"), Str("backend"), Msg("version_policy", VersionPolicy), I32("max_batch_size"),
            Msg("input", Input, repeated: true), Msg("output", Output, repeated: true),
            Msg("instance_group", InstanceGroup, repeated: true), Str("default_model_filename"),
            Msg("dynamic_batching", DynamicBatching), Msg("sequence_batching", SequenceBatching),
            Msg("optimization", Optimization), MapOf("parameters", FieldType.String, Msg("value", Parameter)),
            Msg("model_warmup", Warmup, repeated: true), Msg("response_cache", ResponseCache),
            Msg("model_transaction_policy", TransactionPolicy), Msg("ensemble_scheduling", Ensembling),
        ],
        unsupported: UnsupportedModelConfigFields,
        oneofs: [["dynamic_batching", "sequence_batching", "ensemble_scheduling"]]);
}
