namespace Turbine.Client.Registry;

/// <summary>One tensor of a <see cref="RegistrySignature"/>; a dynamic dimension is -1.</summary>
public sealed record RegistryTensor
{
    /// <summary>The tensor's name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The protocol datatype (<c>FP32</c>, …).</summary>
    public string Datatype { get; init; } = "";

    /// <summary>The shape; -1 for a dynamic dimension.</summary>
    public IReadOnlyList<long> Shape { get; init; } = [];
}
