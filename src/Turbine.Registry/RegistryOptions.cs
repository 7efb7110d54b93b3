using Microsoft.Extensions.Logging;

namespace Turbine.Registry;

/// <summary>What <c>turbine registry</c> (or an embedding process) asks of the registry service.</summary>
public sealed record RegistryOptions
{
    /// <summary>Address to listen on (default <c>127.0.0.1</c>); <c>localhost</c> means loopback.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>HTTP port (default 8080); 0 picks a free port (see <see cref="RegistryServer.Url"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Data folder: the SQLite file <c>registry.db</c> and, by default, the <c>artifacts/</c> folder.</summary>
    public string DataDirectory { get; init; } = DefaultDataDirectory();

    /// <summary>PostgreSQL connection string (Npgsql syntax); null keeps metadata in SQLite under <see cref="DataDirectory"/>.</summary>
    public string? Database { get; init; }

    /// <summary>Run without tokens (every caller is an admin named <c>dev</c>); refused unless <see cref="Host"/> is loopback.</summary>
    public bool Dev { get; init; }

    /// <summary>File-system artifact folder (default <c>&lt;DataDirectory&gt;/artifacts</c>); with S3, the upload spool.</summary>
    public string? ArtifactsDirectory { get; init; }

    /// <summary>S3-compatible endpoint URL; null for AWS S3.</summary>
    public string? S3Endpoint { get; init; }

    /// <summary>S3 bucket; setting it stores artifacts in S3 instead of the file system.</summary>
    public string? S3Bucket { get; init; }

    public string? S3AccessKey { get; init; }

    public string? S3SecretKey { get; init; }

    public string S3Region { get; init; } = "us-east-1";

    /// <summary>Key prefix inside the bucket.</summary>
    public string? S3Prefix { get; init; }

    /// <summary>Largest accepted artifact upload (default 64 GiB); above it uploads fail with 413.</summary>
    public long MaxArtifactBytes { get; init; } = 64L * 1024 * 1024 * 1024;

    /// <summary>Extra logging configuration (tests capture logs; the CLI adds nothing).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>The clock for timestamps (tests may inject one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary><c>$TURBINE_HOME/registry</c>, else <c>~/.turbine/registry</c>.</summary>
    public static string DefaultDataDirectory() =>
        Path.Combine(Environment.GetEnvironmentVariable("TURBINE_HOME")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".turbine"), "registry");
}
