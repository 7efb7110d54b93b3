using System.Collections.Immutable;
using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

/// <summary>Binds a checked parse tree to the <see cref="ModelConfig"/> records, one small method per message.</summary>
internal static class ConfigBinder
{
    public static ModelConfig Bind(PbMessage root, string sourcePath) =>
        ModelConfig(new MessageReader(root, ConfigSchema.ModelConfig, sourcePath));

    private static ModelConfig ModelConfig(MessageReader r) => new()
    {
        Name = r.String("name"),
        Platform = r.String("platform"),
        Backend = r.String("backend"),
        VersionPolicy = r.Message("version_policy", VersionPolicy) ?? ModelVersionPolicy.Default,
        MaxBatchSize = r.Int32("max_batch_size"),
        Inputs = r.Messages("input", Input),
        Outputs = r.Messages("output", Output),
        InstanceGroups = r.Messages("instance_group", InstanceGroup),
        DefaultModelFilename = r.String("default_model_filename"),
        DynamicBatching = r.Message("dynamic_batching", DynamicBatching),
        SequenceBatching = r.Message("sequence_batching", SequenceBatching),
        Optimization = r.Message("optimization", Optimization),
        Parameters = r.Map("parameters", e => e.String("key"), e => e.Message("value", p => p.String("string_value")) ?? ""),
        ModelWarmup = r.Messages("model_warmup", Warmup),
        ResponseCache = r.Message("response_cache", c => new ModelResponseCache { Enable = c.Bool("enable") }),
        TransactionPolicy = r.Message("model_transaction_policy", t => new ModelTransactionPolicy { Decoupled = t.Bool("decoupled") }),
        EnsembleScheduling = r.Message("ensemble_scheduling", e => new ModelEnsembling
        {
            Steps = e.Messages("step", s => new EnsembleStep
            {
                ModelName = s.String("model_name"),
                ModelVersion = s.Int64("model_version"),
                InputMap = s.Map("input_map", m => m.String("key"), m => m.String("value")),
                OutputMap = s.Map("output_map", m => m.String("key"), m => m.String("value")),
            }),
            MaxInflightRequests = e.UInt64("max_inflight_requests"),
        }),
    };

    private static ModelInput Input(MessageReader r) => new()
    {
        Name = r.String("name"),
        DataType = (TensorDataType)r.Enum("data_type"),
        Format = ConfigEnum.Format.NameOf(r.Enum("format")),
        Dims = r.Int64s("dims"),
        Reshape = Reshape(r),
        IsShapeTensor = r.Bool("is_shape_tensor"),
        AllowRaggedBatch = r.Bool("allow_ragged_batch"),
        Optional = r.Bool("optional"),
    };

    private static ModelOutput Output(MessageReader r) => new()
    {
        Name = r.String("name"),
        DataType = (TensorDataType)r.Enum("data_type"),
        Dims = r.Int64s("dims"),
        Reshape = Reshape(r),
        LabelFilename = r.String("label_filename"),
        IsShapeTensor = r.Bool("is_shape_tensor"),
    };

    private static ImmutableArray<long>? Reshape(MessageReader r) =>
        r.Has("reshape") ? r.Message("reshape", s => new ReshapeBox(s.Int64s("shape")))!.Shape : null;

    private static ModelVersionPolicy VersionPolicy(MessageReader r)
    {
        if (r.Has("all"))
        {
            return ModelVersionPolicy.All();
        }

        if (r.Has("specific"))
        {
            return new ModelVersionPolicy
            {
                Kind = ModelVersionPolicyKind.Specific,
                NumVersions = 0,
                Versions = r.Message("specific", s => new ReshapeBox(s.Int64s("versions")))!.Shape,
            };
        }

        // `latest {}` keeps protobuf's 0 so validation reports it; an empty policy means Triton's default.
        return r.Has("latest")
            ? ModelVersionPolicy.Latest(r.Message("latest", l => new IntBox(l.Int32("num_versions")))!.Value)
            : ModelVersionPolicy.Default;
    }

    private static ModelInstanceGroup InstanceGroup(MessageReader r) => new()
    {
        Name = r.String("name"),
        Count = r.Int32("count", defaultValue: 1),
        Kind = (ModelInstanceKind)r.Enum("kind"),
        Gpus = r.Int32s("gpus"),
    };

    private static ModelQueuePolicy QueuePolicy(MessageReader r) => new()
    {
        TimeoutAction = (TimeoutAction)r.Enum("timeout_action"),
        DefaultTimeoutMicroseconds = r.Int64("default_timeout_microseconds"),
        AllowTimeoutOverride = r.Bool("allow_timeout_override"),
        MaxQueueSize = r.Int32("max_queue_size"),
    };

    private static ModelDynamicBatching DynamicBatching(MessageReader r) => new()
    {
        PreferredBatchSizes = r.Int32s("preferred_batch_size"),
        MaxQueueDelayMicroseconds = r.Int64("max_queue_delay_microseconds"),
        PreserveOrdering = r.Bool("preserve_ordering"),
        PriorityLevels = r.Int32("priority_levels"),
        DefaultPriorityLevel = r.Int32("default_priority_level"),
        DefaultQueuePolicy = r.Message("default_queue_policy", QueuePolicy),
        PriorityQueuePolicy = r.Map("priority_queue_policy", e => e.UInt64("key"), e => e.Message("value", QueuePolicy) ?? new ModelQueuePolicy()),
    };

    private static ModelSequenceBatching SequenceBatching(MessageReader r) => new()
    {
        MaxSequenceIdleMicroseconds = r.Int64("max_sequence_idle_microseconds"),
        ControlInputs = r.Messages("control_input", c => new SequenceControlInput
        {
            Name = c.String("name"),
            Controls = c.Messages("control", Control),
        }),
        Direct = r.Message("direct", d => new SequenceStrategyDirect
        {
            MaxQueueDelayMicroseconds = d.Int64("max_queue_delay_microseconds"),
            MinimumSlotUtilization = d.Float("minimum_slot_utilization"),
        }),
        Oldest = r.Message("oldest", o => new SequenceStrategyOldest
        {
            MaxCandidateSequences = o.Int32("max_candidate_sequences"),
            PreferredBatchSizes = o.Int32s("preferred_batch_size"),
            MaxQueueDelayMicroseconds = o.Int64("max_queue_delay_microseconds"),
            PreserveOrdering = o.Bool("preserve_ordering"),
        }),
        States = r.Messages("state", State),
    };

    private static SequenceControl Control(MessageReader r) => new()
    {
        Kind = (SequenceControlKind)r.Enum("kind"),
        Int32FalseTrue = r.Int32s("int32_false_true"),
        Fp32FalseTrue = r.Floats("fp32_false_true"),
        BoolFalseTrue = r.Bools("bool_false_true"),
        DataType = (TensorDataType)r.Enum("data_type"),
    };

    private static SequenceState State(MessageReader r) => new()
    {
        InputName = r.String("input_name"),
        OutputName = r.String("output_name"),
        DataType = (TensorDataType)r.Enum("data_type"),
        Dims = r.Int64s("dims"),
        InitialState = r.Messages("initial_state", i => new SequenceInitialState
        {
            DataType = (TensorDataType)i.Enum("data_type"),
            Dims = i.Int64s("dims"),
            ZeroData = i.Bool("zero_data"),
            DataFile = i.String("data_file"),
            Name = i.String("name"),
        }),
    };

    private static ModelOptimization Optimization(MessageReader r)
    {
        var accelerators = r.Message("execution_accelerators", a => new AcceleratorsBox(
            a.Messages("gpu_execution_accelerator", Accelerator),
            a.Messages("cpu_execution_accelerator", Accelerator)));
        return new ModelOptimization
        {
            GraphLevel = r.Message("graph", g => new IntBox(g.Int32("level")))?.Value ?? 0,
            Priority = r.Enum("priority"),
            GpuExecutionAccelerators = accelerators?.Gpu ?? [],
            CpuExecutionAccelerators = accelerators?.Cpu ?? [],
        };
    }

    private static ExecutionAccelerator Accelerator(MessageReader r) => new()
    {
        Name = r.String("name"),
        Parameters = r.Map("parameters", e => e.String("key"), e => e.String("value")),
    };

    private static ModelWarmup Warmup(MessageReader r) => new()
    {
        Name = r.String("name"),
        BatchSize = r.Int32("batch_size"),
        Inputs = r.Map("inputs", e => e.String("key"), e => e.Message("value", WarmupInput) ?? new ModelWarmupInput()),
        Count = r.Int32("count"),
    };

    private static ModelWarmupInput WarmupInput(MessageReader r) => new()
    {
        DataType = (TensorDataType)r.Enum("data_type"),
        Dims = r.Int64s("dims"),
        ZeroData = r.Bool("zero_data"),
        RandomData = r.Bool("random_data"),
        InputDataFile = r.String("input_data_file"),
    };

    // Small reference wrappers so value results can flow through MessageReader.Message (class-constrained).
    private sealed record ReshapeBox(ImmutableArray<long> Shape);

    private sealed record IntBox(int Value);

    private sealed record AcceleratorsBox(ImmutableArray<ExecutionAccelerator> Gpu, ImmutableArray<ExecutionAccelerator> Cpu);
}
