namespace Turbine.Client.Registry;

/// <summary>
/// The artifact of a version: its content digest, size, packing (<c>file</c> or <c>tar</c>) and, for a file, its
/// name. As a request (<see cref="RegistryClient.CreateVersionAsync"/>) only the digest, packing and file name count.
/// </summary>
public sealed record RegistryArtifact
{
    public const string FilePacking = "file";

    public const string TarPacking = "tar";

    /// <summary>Lower-case hex SHA-256 of the bytes.</summary>
    public string Sha256 { get; init; } = "";

    public long? Size { get; init; }

    public string Packing { get; init; } = FilePacking;

    public string? FileName { get; init; }
}
