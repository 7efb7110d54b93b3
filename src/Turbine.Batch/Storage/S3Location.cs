namespace Turbine.Batch.Storage;

/// <summary>An <c>s3://bucket/key</c> URI.</summary>
/// <param name="Bucket">Bucket name.</param>
/// <param name="Key">Object key (may be empty for a bucket root).</param>
public sealed record S3Location(string Bucket, string Key)
{
    /// <summary>Whether <paramref name="path"/> is an s3:// URI.</summary>
    /// <param name="path">Path or URI.</param>
    public static bool IsS3(string path) => path.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <c>s3://bucket/key</c>.</summary>
    /// <param name="path">The URI.</param>
    public static S3Location Parse(string path)
    {
        if (!IsS3(path))
        {
            throw new ArgumentException($"'{path}' is not an s3://bucket/key URI");
        }

        var rest = path[5..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var key = slash < 0 ? "" : rest[(slash + 1)..];
        if (bucket.Length == 0 || key.Split('/').Any(s => s is ".." or "."))
        {
            throw new ArgumentException($"'{path}' is not an s3://bucket/key URI (empty bucket, or '.'/'..' in the key)");
        }

        return new S3Location(bucket, key);
    }

    public override string ToString() => $"s3://{Bucket}/{Key}";
}
