using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Logging;

namespace Turbine.Registry.Artifacts;

/// <summary>Chooses and builds the artifact store the options describe.</summary>
public static class ArtifactStoreFactory
{
    /// <summary>
    /// The S3 store when <see cref="ArtifactStoreOptions.S3Bucket"/> is set, else the file system store at
    /// <see cref="ArtifactStoreOptions.Directory"/>. Throws <see cref="ArgumentException"/> naming the option when
    /// they are incomplete or invalid. The S3 store owns its client: dispose it (<see cref="IDisposable"/>) when done.
    /// </summary>
    public static IArtifactStore Create(ArtifactStoreOptions options, ILoggerFactory? loggerFactory = null)
    {
        Validate(options);
        return string.IsNullOrWhiteSpace(options.S3Bucket)
            ? new FileSystemArtifactStore(options.Directory!, loggerFactory?.CreateLogger<FileSystemArtifactStore>())
            : CreateS3(options, loggerFactory);
    }

    /// <summary>
    /// Checks the options without touching the disk or the network; throws <see cref="ArgumentException"/> naming
    /// what is missing or wrong.
    /// </summary>
    public static void Validate(ArtifactStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.S3Bucket))
        {
            if (string.IsNullOrWhiteSpace(options.Directory))
            {
                throw new ArgumentException(
                    "artifact store: set a directory for the file system store, or an S3 bucket for the S3 store", nameof(options));
            }

            return;
        }

        if (string.IsNullOrEmpty(options.S3AccessKey) != string.IsNullOrEmpty(options.S3SecretKey))
        {
            throw new ArgumentException(
                "artifact store: give both the S3 access key and the S3 secret key, or neither (to use the AWS default credentials)", nameof(options));
        }

        CreateS3Config(options);
    }

    /// <summary>The S3 client configuration the store uses: path-style, checksums only where S3 requires them.</summary>
    public static AmazonS3Config CreateS3Config(ArtifactStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.S3Region))
        {
            throw new ArgumentException("artifact store: the S3 region must not be empty (default us-east-1)", nameof(options));
        }

        var config = new AmazonS3Config
        {
            ForcePathStyle = true,

            // The SDK's default flexible checksums send aws-chunked bodies with trailers, which many S3-compatible
            // stores (s3rver, older MinIO/Ceph) reject or store verbatim; the store verifies SHA-256 itself.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrWhiteSpace(options.S3Endpoint))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.S3Region);
        }
        else
        {
            if (!Uri.TryCreate(options.S3Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException(
                    $"artifact store: S3 endpoint '{options.S3Endpoint}' is not an absolute http:// or https:// URL", nameof(options));
            }

            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = options.S3Region;
        }

        return config;
    }

    private static S3ArtifactStore CreateS3(ArtifactStoreOptions options, ILoggerFactory? loggerFactory)
    {
        var config = CreateS3Config(options);
        var client = !string.IsNullOrEmpty(options.S3AccessKey)
            ? new AmazonS3Client(new BasicAWSCredentials(options.S3AccessKey, options.S3SecretKey), config)
            : new AmazonS3Client(config);
        var spool = string.IsNullOrWhiteSpace(options.Directory)
            ? Path.Combine(Path.GetTempPath(), "turbine-artifact-spool")
            : Path.Combine(options.Directory, "tmp");
        try
        {
            return new S3ArtifactStore(client, options.S3Bucket!, options.S3Prefix, spool, ownsClient: true, loggerFactory?.CreateLogger<S3ArtifactStore>());
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
