namespace Turbine.Server.Registry;

/// <summary>
/// Settings of <c>turbine serve --registry</c>: the server serves the versions these references resolve to, from a
/// local content-addressed cache, and follows the registry as stages and aliases move.
/// </summary>
public sealed record RegistryServingOptions
{
    /// <summary>The registry, for example <c>http://127.0.0.1:8080/</c>.</summary>
    public required Uri Url { get; init; }

    /// <summary>References to serve (<c>fraud@production</c>, <c>fraud:3</c>, <c>fraud@champion</c>, <c>fraud</c>); one per model name.</summary>
    public required IReadOnlyList<string> Models { get; init; }

    /// <summary>Bearer token (a reader token is enough); null for a <c>--dev</c> registry.</summary>
    public string? Token { get; init; }

    /// <summary>Cache folder: <c>blobs/sha256/&lt;hex&gt;</c>, the materialized <c>repository/</c>, and <c>refs.json</c>.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>How often each reference is resolved again. Default 5 s.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between retries while the registry fails (exponential backoff, jittered). Default 60 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one resolve may take before it counts as a failure (a registry that accepts but never answers). Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bounds on extracting a tar artifact (<c>--registry-max-extract-bytes</c>, <c>--registry-max-extract-entries</c>).</summary>
    public Turbine.Client.Registry.TarExtractionLimits Extraction { get; init; } = new();

    /// <summary>
    /// Monitor each served model against the reference profile stored with its version in the registry, when the
    /// server has monitoring (<see cref="ServerOptions.Monitoring"/>); default true (<c>--no-registry-monitoring</c> turns it off).
    /// </summary>
    public bool MonitorProfiles { get; init; } = true;

    /// <summary>The Triton-layout repository the engine serves from.</summary>
    public string RepositoryDirectory => Path.Combine(CacheDirectory, "repository");
}
