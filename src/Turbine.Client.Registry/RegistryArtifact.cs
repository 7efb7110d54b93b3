namespace Turbine.Client.Registry;

/// <summary>
/// The artifact of a version: its content digest, size, packing (<c>file</c> or <c>tar</c>) and, for a file, its
/// name. As a request (<see cref="RegistryClient.CreateVersionAsync"/>) only the digest, packing and file name count.
/// </summary>
public sealed record RegistryArtifact
{
    /// <summary><see cref="Packing"/> of a single file, served under its <see cref="FileName"/>.</summary>
    public const string FilePacking = "file";

    /// <summary><see cref="Packing"/> of a folder packed as an uncompressed tar.</summary>
    public const string TarPacking = "tar";

    /// <summary>Lower-case hex SHA-256 of the bytes.</summary>
    public string Sha256 { get; init; } = "";

    /// <summary>Size in bytes; set in answers, ignored in requests.</summary>
    public long? Size { get; init; }

    /// <summary><see cref="FilePacking"/> or <see cref="TarPacking"/>.</summary>
    public string Packing { get; init; } = FilePacking;

    /// <summary>For a file artifact, the name it is written under (<c>model.onnx</c>).</summary>
    public string? FileName { get; init; }
}
