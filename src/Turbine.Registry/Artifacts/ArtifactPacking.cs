namespace Turbine.Registry.Artifacts;

/// <summary>How an artifact's bytes are laid out.</summary>
public enum ArtifactPacking
{
    /// <summary>One file (for example <c>model.onnx</c>); the version records its file name.</summary>
    File,

    /// <summary>A folder (for example a Triton model folder) packed as an uncompressed POSIX tar.</summary>
    Tar,
}
