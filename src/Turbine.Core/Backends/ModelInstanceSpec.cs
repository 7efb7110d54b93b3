using Turbine.Core.Config;

namespace Turbine.Core.Backends;

/// <summary>What a backend needs to create one instance of a model version.</summary>
/// <param name="Config">The completed, validated config.</param>
/// <param name="ModelFilePath">Path of the model file in the version folder.</param>
/// <param name="Version">The version number.</param>
/// <param name="InstanceName">Triton-style instance name, <c>{group}_{index}</c>.</param>
/// <param name="Kind">CPU or GPU (AUTO is resolved before this point).</param>
/// <param name="DeviceId">GPU ordinal for GPU instances; 0 on CPU.</param>
/// <param name="IntraOpThreads">The thread budget for this instance (0 = the backend's default).</param>
public sealed record ModelInstanceSpec(
    ModelConfig Config,
    string ModelFilePath,
    long Version,
    string InstanceName,
    ModelInstanceKind Kind,
    int DeviceId,
    int IntraOpThreads)
{
    /// <summary>
    /// The engine that loads the instance, for backends whose models call other loaded models in process (the .NET
    /// backend's business-logic scripting); null when the instance is created outside an engine.
    /// </summary>
    public InferenceEngine? Engine { get; init; }
}
