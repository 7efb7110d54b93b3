namespace Turbine.Client.Registry;

/// <summary>What <c>POST /api/v1/artifacts</c> answers: the stored blob's digest and size.</summary>
public sealed record ArtifactUpload
{
    /// <summary>Lower-case hex SHA-256 of the stored bytes.</summary>
    public string Sha256 { get; init; } = "";

    /// <summary>The stored blob's size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>True when the registry already had these bytes (200 instead of 201).</summary>
    public bool AlreadyExisted { get; init; }
}
