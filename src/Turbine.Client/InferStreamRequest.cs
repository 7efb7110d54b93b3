namespace Turbine.Client;

/// <summary>One request of <see cref="TurbineGrpcClient.StreamInferAsync"/>. Set <see cref="InferOptions.RequestId"/> to match its response.</summary>
public sealed record InferStreamRequest(
    string Model,
    IReadOnlyList<InferInput> Inputs,
    IReadOnlyList<InferRequestedOutput>? Outputs = null,
    InferOptions? Options = null);
