using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>
/// A model's configuration as the user wrote it (Triton <c>ModelConfig</c>). Defaults are the protobuf defaults,
/// except <see cref="VersionPolicy"/> which defaults to "latest 1" as in Triton.
/// Collections compare by reference (record equality); compare configs semantically via
/// <see cref="ModelConfigJson.ToJson(ModelConfig)"/>.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>A config with every field at its default.</summary>
    public static ModelConfig Empty { get; } = new();

    public string Name { get; init; } = "";
    public string Platform { get; init; } = "";
    public string Backend { get; init; } = "";
    public int MaxBatchSize { get; init; }
    public ModelVersionPolicy VersionPolicy { get; init; } = ModelVersionPolicy.Default;
    public ImmutableArray<ModelInput> Inputs { get; init; } = [];
    public ImmutableArray<ModelOutput> Outputs { get; init; } = [];
    public ImmutableArray<ModelInstanceGroup> InstanceGroups { get; init; } = [];

    /// <summary>Empty when not set.</summary>
    public string DefaultModelFilename { get; init; } = "";
    public ModelDynamicBatching? DynamicBatching { get; init; }
    public ModelSequenceBatching? SequenceBatching { get; init; }
    public ModelOptimization? Optimization { get; init; }

    /// <summary>Triton <c>parameters</c>: key to <c>ModelParameter.string_value</c>.</summary>
    public ImmutableDictionary<string, string> Parameters { get; init; } = ImmutableDictionary<string, string>.Empty;
    public ImmutableArray<ModelWarmup> ModelWarmup { get; init; } = [];
    public ModelResponseCache? ResponseCache { get; init; }

    /// <summary>Triton <c>model_transaction_policy</c>.</summary>
    public ModelTransactionPolicy? TransactionPolicy { get; init; }

    /// <summary>Triton <c>ensemble_scheduling</c>: set for <c>platform: "ensemble"</c>.</summary>
    public ModelEnsembling? EnsembleScheduling { get; init; }
}
