namespace Turbine.Gateway.Traffic;

/// <summary>
/// One request to mirror, with the primary's answer to compare against. For gRPC (<paramref name="Grpc"/>) the body
/// is the request's message frame, <paramref name="PrimaryStatus"/> the primary's <c>grpc-status</c> and
/// <paramref name="PrimaryBody"/> its response frame.
/// </summary>
internal sealed record ShadowWork(
    string Model,
    string Pool,
    string Method,
    string PathAndQuery,
    string? ContentType,
    string? InferenceHeaderLength,
    byte[] Body,
    int PrimaryStatus,
    byte[]? PrimaryBody,
    bool Grpc = false);
