namespace Turbine.Core.Repository;

/// <summary>
/// One file of a repository load request's <c>file:</c> override (Triton's model repository extension): its path
/// relative to the model folder (<c>1/model.onnx</c>) and its bytes.
/// </summary>
public sealed record ModelFileOverride(string Path, ReadOnlyMemory<byte> Content);
