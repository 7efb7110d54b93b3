using System.Buffers;
using Turbine.Core;
using Turbine.Core.SharedMemory;
using Turbine.Core.Tensors;
using Turbine.Protocol.Grpc;
using Turbine.Server.Http;

namespace Turbine.Server.Grpc;

/// <summary>
/// Reads a <c>ModelInferRequest</c> from its wire bytes into an <see cref="InferenceRequest"/> without Google.Protobuf's
/// message objects (six maps, repeated fields and byte strings per simple request). The payload is copied once into a
/// pooled buffer that the request owns (<see cref="InferenceRequest.BodyOwner"/>); <c>raw_input_contents</c> are used in
/// place in it; parameters become dictionaries only when present. The result is what
/// <see cref="GrpcInferRequestReader.Read"/> makes of the same bytes parsed by protobuf, with the same errors: a property
/// test holds the two side by side. Typed <c>contents</c> (and inputs with no data at all) are handed to protobuf and
/// that reader, so they behave exactly as before.
/// </summary>
/// <remarks>
/// Protobuf's rules are kept: the last value of a singular field wins, repeated scalars may come packed or not, a
/// known field with an unexpected wire type is an unknown field and skipped like any other, map entries may lack key or
/// value, a repeated map key keeps the last value. Malformed bytes (truncated varints, lengths past the end of their
/// message, invalid wire types or groups, field number 0, strings that are not UTF-8) are refused as INVALID_ARGUMENT
/// naming the problem and the byte offset. Nothing is allocated from a length on the wire before it is checked against
/// the bytes actually present.
/// </remarks>
internal static partial class WireInferRequestReader
{
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads one message (no frame prefix). Never throws for bad input: errors come back in the result.</summary>
    public static WireInferRequest Read(ReadOnlySequence<byte> payload)
    {
        if (payload.Length > Array.MaxLength)
        {
            return new WireInferRequest { Error = InferenceError.InvalidArgument($"the ModelInferRequest of {payload.Length} bytes is larger than any message this server reads"), WireBytes = payload.Length };
        }

        var length = (int)payload.Length;
#pragma warning disable CA2000 // owned by the request built below, or disposed on every other path
        var body = new PooledBuffer(length);
#pragma warning restore CA2000
        payload.CopyTo(body.GetSpan(length));
        body.Advance(length);
        var result = Read(body, out var handedOver);
        if (!handedOver)
        {
            body.Dispose();
        }

        return result.Message is null && result.Request is null && result.Error is null
            ? Fallback(payload, length)
            : result;
    }

    /// <summary>What protobuf makes of the bytes (the path the fast reader leaves things to).</summary>
    private static WireInferRequest Fallback(ReadOnlySequence<byte> payload, int length)
    {
        ModelInferRequest message;
        try
        {
            message = ModelInferRequest.Parser.ParseFrom(payload);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            return new WireInferRequest { Error = InferenceError.InvalidArgument($"the ModelInferRequest is malformed: {e.Message}"), WireBytes = length };
        }

        return new WireInferRequest { Message = message, ModelName = message.ModelName, ModelVersion = message.ModelVersion, Id = message.Id, WireBytes = length };
    }

    /// <summary>An empty result: the caller falls back to protobuf.</summary>
    private static readonly WireInferRequest FallbackMarker = new();

    private static WireInferRequest Read(PooledBuffer body, out bool handedOver)
    {
        handedOver = false;
        var span = body.WrittenSpan;
        var wireBytes = span.Length;

        // Pass 1: the whole message's structure is checked (every nested message this reader descends into), the
        // top-level fields located, and the parts counted.
        Range name = default, version = default, id = default;
        int inputs = 0, raw = 0, parameters = 0;
        var reader = new ProtoReader(span, 0, span.Length);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wire, out var problem))
            {
                return Malformed(problem, wireBytes);
            }

            if (wire == 2)
            {
                if (!reader.TryReadLength(out var start, out var len, out problem))
                {
                    return Malformed(problem, wireBytes);
                }

                switch (field)
                {
                    case 1: name = new Range(start, start + len); break;
                    case 2: version = new Range(start, start + len); break;
                    case 3: id = new Range(start, start + len); break;
                    case 4:
                        parameters++;
                        if (CheckMapEntry(span, start, len) is { } bad4)
                        {
                            return Malformed(bad4, wireBytes);
                        }

                        break;
                    case 5:
                        inputs++;
                        if (CheckInput(span, start, len, out var typed) is { } bad5)
                        {
                            return Malformed(bad5, wireBytes);
                        }

                        if (typed)
                        {
                            return FallbackMarker; // typed contents: protobuf and GrpcInferRequestReader, as before
                        }

                        break;
                    case 6:
                        if (CheckOutput(span, start, len) is { } bad6)
                        {
                            return Malformed(bad6, wireBytes);
                        }

                        break;
                    case 7: raw++; break;
                }
            }
            else if (!reader.TrySkip(wire, out problem))
            {
                return Malformed(problem, wireBytes);
            }
        }

        // Strings are checked to be UTF-8 as they are decoded.
        if (!TryString(span, name, out var modelName) || !TryString(span, version, out var modelVersion) || !TryString(span, id, out var requestId))
        {
            return Malformed("a string field (model_name, model_version or id) is not valid UTF-8", wireBytes);
        }

        var requestParameters = parameters > 0 ? ReadParameters(span, 0, span.Length, 4, parameters) : null;
        var parsedVersion = GrpcInferRequestReader.ParseVersion(modelVersion);
        if (!parsedVersion.IsOk)
        {
            return Refused(parsedVersion.Error, modelName, modelVersion, requestId, wireBytes, requestParameters);
        }

        // The raw entries, in order (an input takes the next one).
        var rawRanges = raw <= 16 ? stackalloc Range[16] : new Range[raw];
        var regions = 0;
        var r = 0;
        reader = new ProtoReader(span, 0, span.Length);
        while (reader.TryNextLengthDelimited(out var field, out var start, out var len))
        {
            if (field == 7)
            {
                rawRanges[r++] = new Range(start, start + len);
            }
            else if (field == 5 && InputHasRegion(span, start, len))
            {
                regions++;
            }
        }

        var inMessage = inputs - regions;
        if (raw > 0 && raw != inMessage)
        {
            return Refused(InferenceError.InvalidArgument(inMessage == inputs
                ? $"raw_input_contents has {raw} entries but the request has {inputs} inputs; send one entry per input, in input order"
                : $"raw_input_contents has {raw} entries but the request has {inMessage} inputs not in shared memory; send one entry per such input, in input order"),
                modelName, modelVersion, requestId, wireBytes, requestParameters);
        }

        // Pass 2: the engine request.
#pragma warning disable CA2000 // returned inside the result; every error return disposes it
        var request = new InferenceRequest(modelName, parsedVersion.Value == 0 ? null : parsedVersion.Value) { Id = requestId };
#pragma warning restore CA2000
        request.Parameters = requestParameters;

        var memory = body.WrittenMemory;
        var next = 0;
        reader = new ProtoReader(span, 0, span.Length);
        while (reader.TryNextLengthDelimited(out var field, out var start, out var len))
        {
            if (field == 5)
            {
                var error = AddInput(span, start, len, request, memory, rawRanges[..raw], ref next, out var fallback);
                if (fallback)
                {
                    request.Dispose();
                    return FallbackMarker; // an input with no data: protobuf and GrpcInferRequestReader say what is wrong
                }

                if (error is not null)
                {
                    request.Dispose();
                    return Refused(error, modelName, modelVersion, requestId, wireBytes, requestParameters);
                }
            }
            else if (field == 6)
            {
                AddOutput(span, start, len, request);
            }
        }

        request.BodyOwner = body;
        handedOver = true;
        return new WireInferRequest { Request = request, ModelName = modelName, ModelVersion = modelVersion, Id = requestId, WireBytes = wireBytes, Parameters = requestParameters };
    }

    private static WireInferRequest Malformed(string problem, int wireBytes) =>
        new() { Error = InferenceError.InvalidArgument($"the ModelInferRequest is malformed: {problem}"), WireBytes = wireBytes };

    private static WireInferRequest Refused(InferenceError error, string model, string version, string id, int wireBytes,
        Dictionary<string, Core.Tensors.InferParameter>? parameters) =>
        new() { Error = error, ModelName = model, ModelVersion = version, Id = id, WireBytes = wireBytes, Parameters = parameters };

    private static bool TryParseDatatype(ReadOnlySpan<byte> utf8, out TensorDataType type)
    {
        type = default;
        if (utf8.Length > 16)
        {
            return false;
        }

        Span<char> chars = stackalloc char[16];
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] > 0x7F)
            {
                return false;
            }

            chars[i] = (char)utf8[i];
        }

        return TensorDataTypes.TryParseWireName(chars[..utf8.Length], out type);
    }

    private static bool TryString(ReadOnlySpan<byte> span, Range range, out string value)
    {
        var bytes = span[range];
        if (!IsUtf8(bytes))
        {
            value = "";
            return false;
        }

        value = Utf8Strings.Get(bytes);
        return true;
    }

    private static bool IsUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);
}
