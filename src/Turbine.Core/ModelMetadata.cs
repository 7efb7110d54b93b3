namespace Turbine.Core;

/// <summary>The protocol's model metadata: served versions, platform, and tensor signatures.</summary>
public sealed record ModelMetadata(
    string Name,
    IReadOnlyList<string> Versions,
    string Platform,
    IReadOnlyList<TensorMetadata> Inputs,
    IReadOnlyList<TensorMetadata> Outputs);

/// <summary>A tensor's name, wire datatype and shape (-1 for a variable dimension, batch included).</summary>
public sealed record TensorMetadata(string Name, string Datatype, IReadOnlyList<long> Shape);
