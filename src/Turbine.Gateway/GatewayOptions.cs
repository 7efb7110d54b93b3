using Microsoft.Extensions.Logging;

namespace Turbine.Gateway;

/// <summary>Settings of <c>turbine gateway</c>.</summary>
public sealed record GatewayOptions
{
    /// <summary>
    /// The YAML config file (hot-reloaded) that the default config source reads; not needed when the caller registers
    /// its own <see cref="Configuration.IGatewayConfigSource"/> (for example an <see cref="Configuration.InMemoryGatewayConfigSource"/>).
    /// </summary>
    public string? ConfigPath { get; init; }

    /// <summary>Address to bind; default loopback only.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>HTTP/1.1 port for REST; 0 picks a free port. Default 8000.</summary>
    public int HttpPort { get; init; } = 8000;

    /// <summary>Cleartext HTTP/2 port for gRPC; 0 picks a free port. Default 8001.</summary>
    public int GrpcPort { get; init; } = 8001;

    /// <summary>How long SIGTERM waits for in-flight requests. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the config file's size and write time are polled (besides the file watcher). Default 2 s.</summary>
    public TimeSpan ConfigPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Seed of the random source of canary splits and balancing (tests); null = random.</summary>
    public int? RandomSeed { get; init; }

    /// <summary>Time source (tests); null = the system clock.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Replaces the console logging (tests).</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}
