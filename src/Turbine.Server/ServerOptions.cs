using Turbine.Core.Lifecycle;

namespace Turbine.Server;

/// <summary>Settings of <c>turbine serve</c>. Defaults match Triton's where Triton has one.</summary>
public sealed record ServerOptions
{
    public required string ModelRepository { get; init; }

    /// <summary>Address to bind; default loopback only.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>HTTP port; 0 picks a free port. Default 8000.</summary>
    public int HttpPort { get; init; } = 8000;

    /// <summary>gRPC port (served once the gRPC front end exists). Default 8001.</summary>
    public int GrpcPort { get; init; } = 8001;

    /// <summary>Metrics port (served once metrics exist). Default 8002.</summary>
    public int MetricsPort { get; init; } = 8002;

    public ModelControlMode ControlMode { get; init; } = ModelControlMode.None;

    public IReadOnlyList<string> StartupModels { get; init; } = [];

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest accepted request body (after decompression), in bytes; larger gets 413. Default 1 GiB.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1L << 30;

    /// <summary>How long SIGTERM waits for in-flight requests before exiting. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
