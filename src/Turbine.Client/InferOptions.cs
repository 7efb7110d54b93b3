namespace Turbine.Client;

/// <summary>Optional settings of one inference request. Every setting defaults to "not sent".</summary>
public sealed class InferOptions
{
    /// <summary>Request "id", echoed by the server.</summary>
    public string? RequestId { get; set; }

    /// <summary>Request parameter "priority" (1 = highest, 0 = the model's default).</summary>
    public long? Priority { get; set; }

    /// <summary>Request parameter "timeout" in microseconds.</summary>
    public long? TimeoutMicroseconds { get; set; }

    /// <summary>
    /// HTTP only: request parameter "binary_data_output". When null and no outputs are named, the client sends
    /// <c>true</c> (as tritonclient does) unless <see cref="JsonOnly"/> is set.
    /// </summary>
    public bool? BinaryDataOutput { get; set; }

    /// <summary>
    /// Further request parameters (bool, string, integer or floating-point values, or a JsonElement). Named options
    /// above win over an entry with the same key.
    /// </summary>
    public Dictionary<string, object>? Parameters { get; set; }

    /// <summary>
    /// HTTP only: send a pure JSON request: every input as a JSON "data" array and every named output with
    /// "binary_data": false; no "binary_data_output" default.
    /// </summary>
    public bool JsonOnly { get; set; }

    /// <summary>Model version to address (path <c>versions/{v}</c>); null means the server's choice.</summary>
    public string? ModelVersion { get; set; }

    /// <summary>HTTP only: "gzip" or "deflate" compresses the request body and sets Content-Encoding; null sends it as is.</summary>
    public string? RequestCompression { get; set; }

    /// <summary>HTTP only: "gzip" or "deflate" sends Accept-Encoding; a compressed response is decompressed either way.</summary>
    public string? AcceptCompression { get; set; }

    /// <summary>
    /// gRPC only: send inputs in the typed <c>contents</c> fields of each input tensor instead of
    /// <c>raw_input_contents</c> (the default). FP16 and BF16 have no typed field and are rejected.
    /// </summary>
    public bool GrpcTypedContents { get; set; }

    /// <summary>
    /// gRPC only: the call's deadline (a local or UTC time); past it the call fails with DeadlineExceeded.
    /// Null means no deadline (the CancellationToken still cancels).
    /// </summary>
    public DateTime? Deadline { get; set; }
}
