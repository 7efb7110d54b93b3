namespace Turbine.Registry.Artifacts;

/// <summary>The uploaded bytes do not hash to the digest the caller declared; nothing was stored.</summary>
public sealed class ArtifactDigestMismatchException(string expected, string actual)
    : Exception($"artifact digest mismatch: expected sha256 {expected}, got {actual}")
{
    public string Expected { get; } = expected;

    public string Actual { get; } = actual;
}

/// <summary>The upload passed the size limit; nothing was stored.</summary>
public sealed class ArtifactTooLargeException(long limit)
    : Exception($"artifact larger than the limit of {limit} bytes")
{
    public long Limit { get; } = limit;
}

/// <summary>No blob has the digest asked for.</summary>
public sealed class ArtifactNotFoundException(string sha256)
    : Exception($"no artifact with sha256 {sha256}")
{
    public string Sha256 { get; } = sha256;
}
