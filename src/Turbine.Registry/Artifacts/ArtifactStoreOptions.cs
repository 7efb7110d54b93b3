namespace Turbine.Registry.Artifacts;

/// <summary>
/// Where artifacts live. With <see cref="S3Bucket"/> set, in that bucket of an S3-compatible store; otherwise on the
/// local file system under <see cref="Directory"/>.
/// </summary>
/// <param name="Directory">
/// File system store: the root folder. S3 store: optional; when set, uploads are spooled in its <c>tmp/</c> folder
/// (default: the system temp folder), which must have room for the largest artifact.
/// </param>
/// <param name="S3Endpoint">The S3-compatible endpoint URL (for example <c>http://127.0.0.1:9000</c>); null for AWS S3 in <see cref="S3Region"/>.</param>
/// <param name="S3Bucket">The bucket; setting it selects the S3 store. The bucket must exist.</param>
/// <param name="S3AccessKey">Access key id; with <see cref="S3SecretKey"/>. Both null: the AWS SDK's default credential chain (environment, profile, instance role).</param>
/// <param name="S3SecretKey">Secret access key; with <see cref="S3AccessKey"/>.</param>
/// <param name="S3Region">Signing region (default <c>us-east-1</c>).</param>
/// <param name="S3Prefix">Optional key prefix, so one bucket can hold several registries (<c>team-a/</c>).</param>
public sealed record ArtifactStoreOptions(
    string? Directory = null,
    string? S3Endpoint = null,
    string? S3Bucket = null,
    string? S3AccessKey = null,
    string? S3SecretKey = null,
    string S3Region = "us-east-1",
    string? S3Prefix = null);
