namespace Turbine.Core.Repository;

/// <summary>
/// One file of a repository load request's <c>file:</c> override (Triton's model repository extension): its path
/// relative to the model folder (<c>1/model.onnx</c>) and its bytes.
/// </summary>
public sealed record ModelFileOverride(string Path, ReadOnlyMemory<byte> Content)
{
    /// <summary>The most file overrides one load accepts.</summary>
    public const int MaxFiles = ModelOverrideFolders.MaxFiles;

    /// <summary>Triton's answer to a load whose override cannot be used, with the reason (front ends refuse bad parameters with it).</summary>
    public static InferenceError PollFailure(string model, string reason) => ModelOverrideFolders.PollFailure(model, reason);
}
