namespace Turbine.Control.Specs;

/// <summary>An S3 object or prefix.</summary>
/// <param name="Original">The URI as written.</param>
/// <param name="Bucket">The bucket name (S3's naming rules).</param>
/// <param name="Key">The key or prefix after the bucket, without the leading <c>/</c>; empty for the whole bucket.</param>
public sealed record S3StorageUri(string Original, string Bucket, string Key) : StorageUri(Original);
