using Turbine.Core;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Grpc;

/// <summary>
/// One <c>ModelInferRequest</c> as the hand-written marshaller read it off the frame: the engine request built straight
/// from the wire bytes (<see cref="Request"/>), or why the bytes were refused (<see cref="Error"/>), or, for what the
/// fast reader leaves to protobuf (typed <c>contents</c>), the <see cref="Message"/> Google.Protobuf parsed.
/// </summary>
internal sealed class WireInferRequest
{
    /// <summary>The request built from the wire (the fast path), owned by whoever handles the call.</summary>
    public InferenceRequest? Request { get; init; }

    /// <summary>The message protobuf parsed (typed contents, or inputs without data), read by <see cref="GrpcInferRequestReader"/>.</summary>
    public ModelInferRequest? Message { get; init; }

    /// <summary>Why the request was refused while it was read (malformed, bad version, bad inputs).</summary>
    public InferenceError? Error { get; init; }

    /// <summary><c>model_name</c> as sent ("" when the message did not get that far).</summary>
    public string ModelName { get; init; } = "";

    /// <summary><c>model_version</c> as sent.</summary>
    public string ModelVersion { get; init; } = "";

    /// <summary><c>id</c> as sent.</summary>
    public string Id { get; init; } = "";

    /// <summary>Bytes the message took on the wire: what the call reserves in the body budget while it runs.</summary>
    public long WireBytes { get; init; }

    /// <summary>
    /// The request's parameters as read, also when the request was refused after they were read: a stream orders a
    /// refused request in its sequence and reads <c>triton_enable_empty_final_response</c> from them, as it did from
    /// the protobuf message.
    /// </summary>
    public Dictionary<string, Core.Tensors.InferParameter>? Parameters { get; init; }
}
