namespace Turbine.Client.Registry;

/// <summary>One tensor of a <see cref="RegistrySignature"/>; a dynamic dimension is -1.</summary>
public sealed record RegistryTensor
{
    public string Name { get; init; } = "";

    public string Datatype { get; init; } = "";

    public IReadOnlyList<long> Shape { get; init; } = [];
}
