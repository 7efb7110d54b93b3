namespace Turbine.Client.Registry;

/// <summary>A version's input and output tensors as the registry read them from the artifact.</summary>
public sealed record RegistrySignature
{
    /// <summary>The model's inputs.</summary>
    public IReadOnlyList<RegistryTensor> Inputs { get; init; } = [];

    /// <summary>The model's outputs.</summary>
    public IReadOnlyList<RegistryTensor> Outputs { get; init; } = [];
}
