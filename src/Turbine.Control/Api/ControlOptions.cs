using Microsoft.Extensions.Logging;

namespace Turbine.Control.Api;

/// <summary>What <c>turbine control serve</c> (or an embedding process) asks of the control service.</summary>
public sealed record ControlOptions
{
    /// <summary>Address to listen on (default <c>127.0.0.1</c>); <c>localhost</c> means loopback.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>HTTP port of the control API (default 8090); 0 picks a free port (see <see cref="ControlHost.Url"/>).</summary>
    public int Port { get; init; } = 8090;

    /// <summary>Data folder; the SQLite file <c>control.db</c> lives there unless <see cref="DatabasePath"/> says otherwise.</summary>
    public string DataDirectory { get; init; } = DefaultDataDirectory();

    /// <summary>The SQLite file of the control store; null means <c>&lt;DataDirectory&gt;/control.db</c>.</summary>
    public string? DatabasePath { get; init; }

    /// <summary>A PostgreSQL connection string (Npgsql form) for the control store; null keeps the SQLite file. A secret: never logged.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>The registry whose scoped tokens are accepted (asked at <c>GET /api/v1/auth/whoami</c>); null for none.</summary>
    public Uri? RegistryUrl { get; init; }

    /// <summary>Tokens accepted without the registry (standalone use).</summary>
    public IReadOnlyList<ControlStaticToken> StaticTokens { get; init; } = [];

    /// <summary>Run without tokens (every caller may write); refused unless <see cref="Host"/> is loopback. For <c>turbine up</c>.</summary>
    public bool Dev { get; init; }

    /// <summary>Largest InferenceService body accepted by apply (default 1 MiB); larger ones get 413 before they are read.</summary>
    public int MaxSpecBytes { get; init; } = 1024 * 1024;

    /// <summary>How long the registry's verdict on a token is trusted (default 30 s); a revoked token works at most this long.</summary>
    public TimeSpan TokenCacheTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most token verdicts cached at once (default 1024); keyed by a SHA-256 of the token, never the token.</summary>
    public int TokenCacheSize { get; init; } = 1024;

    /// <summary>Longest wait for the registry to answer a token check (default 5 s); then 503.</summary>
    public TimeSpan RegistryTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most events one <c>GET .../events</c> returns (the <c>limit</c> query is 1..this; default 1000).</summary>
    public int MaxEventsPerRequest { get; init; } = 1000;

    /// <summary>Extra logging configuration (tests capture logs; the CLI sets its format).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>The clock for timestamps and the token cache (tests may inject one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The web dashboard at <c>/dashboard/</c> (docs/dashboard.md).</summary>
    public Dashboard.DashboardOptions Dashboard { get; init; } = new();

    /// <summary>The SQLite file the store opens.</summary>
    public string ResolvedDatabasePath => Path.GetFullPath(DatabasePath ?? Path.Combine(DataDirectory, "control.db"));

    /// <summary><c>$TURBINE_HOME/control</c>, else <c>~/.turbine/control</c>.</summary>
    public static string DefaultDataDirectory() =>
        Path.Combine(Environment.GetEnvironmentVariable("TURBINE_HOME")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".turbine"), "control");
}
