// TEMPORARY: replaced by the config branch before merging.
using System.Collections.Immutable;
using Turbine.Core.Tensors;

namespace Turbine.Core.Config;

public sealed record ModelConfig
{
    public string Name { get; init; } = "";
    public string Platform { get; init; } = "";
    public string Backend { get; init; } = "";
    public int MaxBatchSize { get; init; }
    public ModelVersionPolicy VersionPolicy { get; init; } = new();
    public ImmutableArray<ModelInput> Inputs { get; init; } = [];
    public ImmutableArray<ModelOutput> Outputs { get; init; } = [];
    public ImmutableArray<ModelInstanceGroup> InstanceGroups { get; init; } = [];
    public string DefaultModelFilename { get; init; } = "";
    public ModelDynamicBatching? DynamicBatching { get; init; }
    public ModelSequenceBatching? SequenceBatching { get; init; }
    public ModelOptimization? Optimization { get; init; }
    public ImmutableDictionary<string, string> Parameters { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableArray<ModelWarmup> ModelWarmup { get; init; } = [];
    public ModelResponseCache? ResponseCache { get; init; }
    public ModelTransactionPolicy? TransactionPolicy { get; init; }
}
public sealed record ModelInput
{
    public string Name { get; init; } = "";
    public TensorDataType DataType { get; init; }
    public string Format { get; init; } = "FORMAT_NONE";
    public ImmutableArray<long> Dims { get; init; } = [];
    public ImmutableArray<long>? Reshape { get; init; }
    public bool IsShapeTensor { get; init; }
    public bool AllowRaggedBatch { get; init; }
    public bool Optional { get; init; }
}
public sealed record ModelOutput
{
    public string Name { get; init; } = "";
    public TensorDataType DataType { get; init; }
    public ImmutableArray<long> Dims { get; init; } = [];
    public ImmutableArray<long>? Reshape { get; init; }
    public string LabelFilename { get; init; } = "";
    public bool IsShapeTensor { get; init; }
}
public enum ModelVersionPolicyKind { Latest, All, Specific }
public sealed record ModelVersionPolicy
{
    public ModelVersionPolicyKind Kind { get; init; }
    public int NumVersions { get; init; } = 1;
    public ImmutableArray<long> Versions { get; init; } = [];
}
public enum ModelInstanceKind { Auto = 0, Gpu = 1, Cpu = 2, Model = 3 }
public sealed record ModelInstanceGroup
{
    public string Name { get; init; } = "";
    public int Count { get; init; } = 1;
    public ModelInstanceKind Kind { get; init; }
    public ImmutableArray<int> Gpus { get; init; } = [];
}
public sealed record ModelDynamicBatching
{
    public ImmutableArray<int> PreferredBatchSizes { get; init; } = [];
    public long MaxQueueDelayMicroseconds { get; init; }
}
public sealed record ModelSequenceBatching
{
    public long MaxSequenceIdleMicroseconds { get; init; }
}
public sealed record ExecutionAccelerator
{
    public string Name { get; init; } = "";
    public ImmutableDictionary<string, string> Parameters { get; init; } = ImmutableDictionary<string, string>.Empty;
}
public sealed record ModelOptimization
{
    public int GraphLevel { get; init; }
    public ImmutableArray<ExecutionAccelerator> GpuExecutionAccelerators { get; init; } = [];
    public ImmutableArray<ExecutionAccelerator> CpuExecutionAccelerators { get; init; } = [];
}
public sealed record ModelWarmup
{
    public string Name { get; init; } = "";
}
public sealed record ModelResponseCache
{
    public bool Enable { get; init; }
}
public sealed record ModelTransactionPolicy
{
    public bool Decoupled { get; init; }
}
public sealed class ModelConfigException(string sourcePath, int line, int column, string what)
    : Exception($"{sourcePath}:{line}:{column}: {what}")
{
    public string SourcePath { get; } = sourcePath;
    public int Line { get; } = line;
    public int Column { get; } = column;
}
public static class ModelConfigText
{
    public static ModelConfig Parse(string text, string sourcePath) => throw new NotSupportedException();
}
public static class ModelConfigJson
{
    public static ModelConfig Parse(string json, string sourcePath) => throw new NotSupportedException();
    public static string ToJson(ModelConfig config) => throw new NotSupportedException();
    public static void Write(ModelConfig config, System.Text.Json.Utf8JsonWriter writer) => throw new NotSupportedException();
}
public static class ModelConfigValidator
{
    public static ImmutableArray<string> Validate(ModelConfig config, string sourcePath) => [];
}
