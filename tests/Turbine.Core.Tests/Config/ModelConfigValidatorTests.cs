using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.Config;

public sealed class ModelConfigValidatorTests
{
    private static readonly ModelConfig Valid = new()
    {
        Name = "m",
        MaxBatchSize = 8,
        Inputs = [new ModelInput { Name = "IN", DataType = TensorDataType.FP32, Dims = [4] }],
        Outputs = [new ModelOutput { Name = "OUT", DataType = TensorDataType.FP32, Dims = [4] }],
    };

    private static string Single(ModelConfig c) => Assert.Single(ModelConfigValidator.Validate(c, "m/config.pbtxt"));

    [Fact]
    public void Validate_ValidConfig_NoProblems() => Assert.Empty(ModelConfigValidator.Validate(Valid, "x"));

    [Theory]
    [InlineData(ModelInstanceKind.Cpu, "KIND_CPU")]
    [InlineData(ModelInstanceKind.Auto, "KIND_AUTO")]
    public void Validate_GpusOnHostGroup_Reported(ModelInstanceKind kind, string name) =>
        Assert.Equal($"m/config.pbtxt: instance_group[0]: field 'gpus' is for kind KIND_GPU only (KIND_AUTO runs on the CPU in Turbine), got [0, 1] with kind {name}",
            Single(Valid with { InstanceGroups = [new ModelInstanceGroup { Count = 1, Kind = kind, Gpus = [0, 1] }] }));

    [Fact]
    public void Validate_NegativeGpuId_Reported() =>
        Assert.Equal("m/config.pbtxt: instance_group[0]: field 'gpus' must list device ids >= 0, got [0, -1]",
            Single(Valid with { InstanceGroups = [new ModelInstanceGroup { Count = 1, Kind = ModelInstanceKind.Gpu, Gpus = [0, -1] }] }));

    [Fact]
    public void Validate_KindGpuWithGpus_NoProblems() =>
        Assert.Empty(ModelConfigValidator.Validate(
            Valid with { InstanceGroups = [new ModelInstanceGroup { Count = 2, Kind = ModelInstanceKind.Gpu, Gpus = [0, 1] }] }, "x"));

    [Fact]
    public void Validate_EmptyName_Reported() =>
        Assert.Equal("m/config.pbtxt: field 'name' must be non-empty", Single(Valid with { Name = "" }));

    [Fact]
    public void Validate_NegativeMaxBatchSize_Reported() =>
        Assert.Equal("m/config.pbtxt: field 'max_batch_size' must be >= 0, got -1", Single(Valid with { MaxBatchSize = -1 }));

    [Fact]
    public void Validate_DuplicateInputName_Reported() =>
        Assert.Contains("input name 'IN' is used twice", Single(Valid with { Inputs = [Valid.Inputs[0], Valid.Inputs[0]] }), StringComparison.Ordinal);

    [Fact]
    public void Validate_SameNameInputAndOutput_Allowed() =>
        Assert.Empty(ModelConfigValidator.Validate(Valid with { Outputs = [new ModelOutput { Name = "IN", DataType = TensorDataType.FP32, Dims = [1] }] }, "x"));

    [Fact]
    public void Validate_InvalidDataType_Reported() =>
        Assert.Contains("output[0] 'OUT': field 'data_type' must be a valid type such as TYPE_FP32, got TYPE_INVALID",
            Single(Valid with { Outputs = [Valid.Outputs[0] with { DataType = TensorDataType.Invalid }] }), StringComparison.Ordinal);

    [Fact]
    public void Validate_DimBelowMinusOne_Reported() =>
        Assert.Contains("field 'dims' must have every dimension >= -1, got [4, -2]",
            Single(Valid with { Inputs = [Valid.Inputs[0] with { Dims = [4, -2] }] }), StringComparison.Ordinal);

    [Fact]
    public void Validate_EmptyDimsWithoutBatching_Reported() =>
        Assert.Contains("field 'dims' must be non-empty when max_batch_size is 0",
            Single(Valid with { MaxBatchSize = 0, Inputs = [Valid.Inputs[0] with { Dims = [] }] }), StringComparison.Ordinal);

    [Fact]
    public void Validate_EmptyDimsWithBatching_Allowed() =>
        Assert.Empty(ModelConfigValidator.Validate(Valid with { Inputs = [Valid.Inputs[0] with { Dims = [] }] }, "x"));

    [Fact]
    public void Validate_ReshapeElementCountMismatch_Reported() =>
        Assert.Contains("field 'reshape.shape' [3, 2] has 6 elements, expected 4 like dims [4]",
            Single(Valid with { Inputs = [Valid.Inputs[0] with { Reshape = [3, 2] }] }), StringComparison.Ordinal);

    [Fact]
    public void Validate_ReshapeWithVariableDim_NotCounted() =>
        Assert.Empty(ModelConfigValidator.Validate(Valid with { Inputs = [Valid.Inputs[0] with { Dims = [-1], Reshape = [3, 2] }] }, "x"));

    [Fact]
    public void Validate_InstanceCountZero_Reported() =>
        Assert.Contains("instance_group[0]: field 'count' must be >= 1, got 0",
            Single(Valid with { InstanceGroups = [new ModelInstanceGroup { Count = 0 }] }), StringComparison.Ordinal);

    [Fact]
    public void Validate_PreferredBatchSizeAboveMax_Reported() =>
        Assert.Contains("field 'preferred_batch_size' values must be in 1..8 (max_batch_size), got 16",
            Single(Valid with { DynamicBatching = new ModelDynamicBatching { PreferredBatchSizes = [4, 16] } }), StringComparison.Ordinal);

    [Fact]
    public void Validate_DynamicBatchingWithoutBatchSize_Reported() =>
        Assert.Contains("dynamic_batching requires max_batch_size > 0, got max_batch_size 0",
            Single(Valid with { MaxBatchSize = 0, DynamicBatching = new ModelDynamicBatching() }), StringComparison.Ordinal);

    [Fact]
    public void Validate_LatestZeroVersions_Reported() =>
        Assert.Contains("field 'latest.num_versions' must be >= 1, got 0", Single(Valid with { VersionPolicy = ModelVersionPolicy.Latest(0) }), StringComparison.Ordinal);

    [Fact]
    public void Validate_SpecificNonPositiveVersion_Reported() =>
        Assert.Contains("field 'specific.versions' must be > 0, got 0", Single(Valid with { VersionPolicy = ModelVersionPolicy.Specific(1, 0) }), StringComparison.Ordinal);

    [Fact]
    public void Validate_PriorityQueueKeyOutOfRange_Reported()
    {
        var db = new ModelDynamicBatching
        {
            PriorityLevels = 2,
            DefaultPriorityLevel = 1,
            PriorityQueuePolicy = System.Collections.Immutable.ImmutableDictionary<ulong, ModelQueuePolicy>.Empty.Add(3, new ModelQueuePolicy()),
        };
        Assert.Contains("key of 'priority_queue_policy' must be a priority level in 1..2, got 3", Single(Valid with { DynamicBatching = db }), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DefaultPriorityAboveLevels_Reported() =>
        Assert.Contains("field 'default_priority_level' must be in 1..priority_levels (2)",
            Single(Valid with { DynamicBatching = new ModelDynamicBatching { PriorityLevels = 2, DefaultPriorityLevel = 3 } }), StringComparison.Ordinal);

    [Fact]
    public void Validate_WarmupBatchTooLarge_Reported() =>
        Assert.Contains("field 'batch_size' must be in 0..8 (max(max_batch_size, 1)), got 9",
            Single(Valid with { ModelWarmup = [new ModelWarmup { Name = "w", BatchSize = 9 }] }), StringComparison.Ordinal);

    [Fact]
    public void Validate_WarmupUnknownInput_Reported() =>
        Assert.Contains("input 'NOPE' must name a config input or sequence state",
            Single(Valid with { ModelWarmup = [new ModelWarmup { Name = "w", BatchSize = 1, Inputs = Warm("NOPE", new ModelWarmupInput { ZeroData = true }) }] }), StringComparison.Ordinal);

    [Fact]
    public void Validate_WarmupInputTwoSources_Reported() =>
        Assert.Contains("must set exactly one of 'zero_data', 'random_data', 'input_data_file', got 2",
            Single(Valid with { ModelWarmup = [new ModelWarmup { Name = "w", BatchSize = 1, Inputs = Warm("IN", new ModelWarmupInput { ZeroData = true, InputDataFile = "f" }) }] }), StringComparison.Ordinal);

    [Fact]
    public void Validate_WarmupInputNoSource_Reported() =>
        Assert.Contains("got 0", Single(Valid with { ModelWarmup = [new ModelWarmup { Name = "w", Inputs = Warm("IN", new ModelWarmupInput()) }] }), StringComparison.Ordinal);

    [Fact]
    public void Validate_ParsedConfigWithSeveralProblems_ReportsEach()
    {
        var c = ModelConfigText.Parse("name: \"\" max_batch_size: 0 dynamic_batching { preferred_batch_size: 2 } input { name: \"a\" data_type: TYPE_FP32 dims: 1 }", "p");
        var problems = ModelConfigValidator.Validate(c, "p");
        Assert.Equal(3, problems.Length);
        Assert.All(problems, p => Assert.StartsWith("p: ", p, StringComparison.Ordinal));
    }

    private static System.Collections.Immutable.ImmutableDictionary<string, ModelWarmupInput> Warm(string name, ModelWarmupInput input) =>
        System.Collections.Immutable.ImmutableDictionary<string, ModelWarmupInput>.Empty.Add(name, input);
}
