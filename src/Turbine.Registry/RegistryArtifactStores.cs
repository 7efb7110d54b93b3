using Microsoft.Extensions.Logging;
using Turbine.Registry.Artifacts;

namespace Turbine.Registry;

/// <summary>Builds the artifact store <see cref="RegistryOptions"/> asks for (through <see cref="ArtifactStoreFactory"/>), with a description for the ready line.</summary>
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

    public static (IArtifactStore Store, string Description) Create(RegistryOptions options, ILoggerFactory loggerFactory)
    {
        var storeOptions = ToStoreOptions(options);
        var store = ArtifactStoreFactory.Create(storeOptions, loggerFactory);
        var description = store is S3ArtifactStore s3
            ? $"s3:{storeOptions.S3Endpoint ?? "aws"}/{s3.Bucket}/{s3.Prefix}"
            : $"filesystem:{storeOptions.Directory}";
        return (store, description);
    }
}
