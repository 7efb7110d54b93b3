namespace Turbine.Core.Payloads;

/// <summary>One logged request: what the request path captured. <see cref="Json"/> is set by the background writer.</summary>
public sealed class PayloadRecord
{
    public required string RequestId { get; init; }

    /// <summary>W3C trace id of the current activity, or null.</summary>
    public string? TraceId { get; init; }

    public required string Model { get; init; }

    public long Version { get; init; }

    public DateTimeOffset Start { get; init; }

    public DateTimeOffset End { get; init; }

    public long LatencyUs { get; init; }

    /// <summary>Null when the request succeeded.</summary>
    public InferenceError? Error { get; init; }

    /// <summary>Null when inputs are not logged.</summary>
    public IReadOnlyList<PayloadTensor>? Inputs { get; init; }

    /// <summary>Null when outputs are not logged or the request failed.</summary>
    public IReadOnlyList<PayloadTensor>? Outputs { get; init; }

    /// <summary>The record as one line of UTF-8 JSON (no newline); built off the request path.</summary>
    public ReadOnlyMemory<byte> Json { get; set; }
}
