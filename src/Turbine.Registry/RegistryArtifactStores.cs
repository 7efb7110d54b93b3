using Turbine.Registry.Artifacts;

namespace Turbine.Registry;

/// <summary>The artifact store settings <see cref="RegistryOptions"/> give (for <see cref="ArtifactStoreFactory"/>), and the store's description for the ready line.</summary>
internal static class RegistryArtifactStores
{
    public static ArtifactStoreOptions ToStoreOptions(RegistryOptions options) => new(
        Directory: Path.GetFullPath(options.ArtifactsDirectory ?? Path.Combine(options.DataDirectory, "artifacts")),
        S3Endpoint: options.S3Endpoint,
        S3Bucket: options.S3Bucket,
        S3AccessKey: options.S3AccessKey,
        S3SecretKey: options.S3SecretKey,
        S3Region: options.S3Region,
        S3Prefix: options.S3Prefix);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option before anything is opened.</summary>
    public static void Validate(RegistryOptions options) => ArtifactStoreFactory.Validate(ToStoreOptions(options));

    /// <summary>The store's description for the ready line: <c>s3:ENDPOINT/BUCKET/PREFIX</c> or <c>filesystem:FOLDER</c>.</summary>
    public static string Describe(IArtifactStore store, RegistryOptions options) => store is S3ArtifactStore s3
        ? $"s3:{options.S3Endpoint ?? "aws"}/{s3.Bucket}/{s3.Prefix}"
        : $"filesystem:{ToStoreOptions(options).Directory}";
}
