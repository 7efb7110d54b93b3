namespace Turbine.Control.Runtime;

/// <summary>
/// How <see cref="RevisionResolver"/> turns a <c>storageUri</c> into a revision: the registry it asks, the folders a
/// <c>file://</c> URI may name, the S3 endpoint, and the limits and cache every fetched artifact is held to.
/// Checked by <see cref="Validate"/> when the resolver is built.
/// </summary>
public sealed record ResolverOptions
{
    /// <summary>Default <see cref="MaxArtifactBytes"/>: 8 GiB.</summary>
    public const long DefaultMaxArtifactBytes = 8L << 30;

    /// <summary>Default <see cref="MaxArtifactFiles"/>.</summary>
    public const int DefaultMaxArtifactFiles = 10_000;

    /// <summary>Default <see cref="CacheMaxBytes"/>: 32 GiB.</summary>
    public const long DefaultCacheMaxBytes = 32L << 30;

    /// <summary>The registry's base URL for <c>registry://</c> URIs; null refuses them with a message naming this option.</summary>
    public Uri? RegistryUrl { get; init; }

    /// <summary>The registry bearer token (a secret: never put in a message or log); null for a <c>--dev</c> registry.</summary>
    public string? RegistryToken { get; init; }

    /// <summary>How long one registry resolve may take before the registry counts as unavailable. Default 10 s.</summary>
    public TimeSpan RegistryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Absolute folders a <c>file://</c> URI may name (after every symlink is resolved the path must be one of them or
    /// lie below one). Empty (the default) refuses every <c>file://</c> URI.
    /// </summary>
    public IReadOnlyList<string> AllowedFileRoots { get; init; } = [];

    /// <summary>The content-addressed artifact cache (<c>sha256-&lt;digest&gt;/</c> folders); required.</summary>
    public string CacheDirectory { get; init; } = "";

    /// <summary>Most bytes the cache keeps; least recently used, unprotected folders are evicted above it. Default 32 GiB.</summary>
    public long CacheMaxBytes { get; init; } = DefaultCacheMaxBytes;

    /// <summary>
    /// How long a folder just resolved is kept even when unprotected, so a revision resolved but not yet started (or
    /// protected) is not evicted under the reconciler. Default 10 minutes.
    /// </summary>
    public TimeSpan CacheGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most bytes one artifact (a folder, file or S3 prefix) may have. Default 8 GiB.</summary>
    public long MaxArtifactBytes { get; init; } = DefaultMaxArtifactBytes;

    /// <summary>Most files one artifact may have. Default 10 000.</summary>
    public int MaxArtifactFiles { get; init; } = DefaultMaxArtifactFiles;

    /// <summary>Deepest folder nesting inside an artifact. Default 16.</summary>
    public int MaxArtifactDepth { get; init; } = 16;

    /// <summary>How many (path, sizes, times) → digest fingerprints are remembered, so unchanged folders are not hashed again. Default 1024.</summary>
    public int FingerprintCacheEntries { get; init; } = 1024;

    /// <summary>
    /// The S3 endpoint (<c>http(s)://host:port</c>) for <c>s3://</c> URIs; null uses <c>AWS_ENDPOINT_URL_S3</c> or
    /// <c>AWS_ENDPOINT_URL</c> from the environment, else AWS itself in <see cref="S3Region"/>.
    /// </summary>
    public string? S3Endpoint { get; init; }

    /// <summary>The S3 region; null uses <c>AWS_REGION</c> or <c>AWS_DEFAULT_REGION</c>, else <c>us-east-1</c>.</summary>
    public string? S3Region { get; init; }

    /// <summary>The S3 access key; null uses the AWS SDK's default credentials (<c>AWS_ACCESS_KEY_ID</c>, profiles, instance roles).</summary>
    public string? S3AccessKey { get; init; }

    /// <summary>The S3 secret key (a secret: never put in a message or log).</summary>
    public string? S3SecretKey { get; init; }

    /// <summary>How long fetching one S3 artifact (listing and every download) may take. Default 30 minutes.</summary>
    public TimeSpan S3Timeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The first problem with these options, or null when they are usable.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(CacheDirectory) || !Path.IsPathFullyQualified(CacheDirectory))
        {
            return $"resolver: CacheDirectory must be an absolute folder, got '{CacheDirectory}'";
        }

        if (RegistryUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https") || url.UserInfo.Length > 0))
        {
            // No user info: the URL appears in messages, so a credential must travel as RegistryToken.
            return "resolver: RegistryUrl must be an absolute http:// or https:// URL without user:password (pass the token as RegistryToken)";
        }

        foreach (var root in AllowedFileRoots)
        {
            if (string.IsNullOrWhiteSpace(root) || !Path.IsPathFullyQualified(root))
            {
                return $"resolver: every AllowedFileRoots entry must be an absolute folder, got '{root}'";
            }
        }

        if (MaxArtifactBytes <= 0 || MaxArtifactFiles <= 0 || MaxArtifactDepth <= 0 || FingerprintCacheEntries <= 0)
        {
            return "resolver: MaxArtifactBytes, MaxArtifactFiles, MaxArtifactDepth and FingerprintCacheEntries must be positive";
        }

        if (CacheMaxBytes < MaxArtifactBytes)
        {
            return $"resolver: CacheMaxBytes ({CacheMaxBytes}) must be at least MaxArtifactBytes ({MaxArtifactBytes}), or one artifact could not be cached";
        }

        if (RegistryTimeout <= TimeSpan.Zero || S3Timeout <= TimeSpan.Zero || CacheGracePeriod < TimeSpan.Zero)
        {
            return "resolver: RegistryTimeout and S3Timeout must be positive and CacheGracePeriod not negative";
        }

        if (S3Endpoint is { Length: > 0 } endpoint &&
            (!Uri.TryCreate(endpoint, UriKind.Absolute, out var s3) || s3.Scheme is not ("http" or "https")))
        {
            return $"resolver: S3Endpoint '{endpoint}' is not an absolute http:// or https:// URL";
        }

        return null;
    }
}
