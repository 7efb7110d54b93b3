namespace Turbine.Gateway.Logging;

/// <summary>One access-log line's facts (written as JSON with snake_case names).</summary>
internal sealed record AccessLogRecord
{
    public required DateTimeOffset Timestamp { get; init; }
    public required string Method { get; init; }
    public required string Path { get; init; }
    public string? Query { get; init; }
    public required string Protocol { get; init; }
    public string? Model { get; init; }
    public string? Version { get; init; }
    public required string Operation { get; init; }
    public required int Status { get; init; }
    public int? GrpcStatus { get; init; }
    public required double DurationMs { get; init; }
    public required long BytesIn { get; init; }
    public required long BytesOut { get; init; }
    public string? Caller { get; init; }
    public string? Pool { get; init; }
    public string? TargetVersion { get; init; }
    public string? Destination { get; init; }
    public int Retries { get; init; }
    public string? TraceId { get; init; }
    public string? SpanId { get; init; }
    public string? UserAgent { get; init; }
    public string? RemoteAddress { get; init; }
}
