namespace Turbine.Client.Registry;

/// <summary>A version's input and output tensors as the registry read them from the artifact.</summary>
public sealed record RegistrySignature
{
    public IReadOnlyList<RegistryTensor> Inputs { get; init; } = [];

    public IReadOnlyList<RegistryTensor> Outputs { get; init; } = [];
}
