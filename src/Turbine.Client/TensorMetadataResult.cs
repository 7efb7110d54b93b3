namespace Turbine.Client;

/// <summary>One input or output of a model's metadata; -1 in <see cref="Shape"/> is a variable dim.</summary>
public sealed record TensorMetadataResult(string Name, string Datatype, long[] Shape);
