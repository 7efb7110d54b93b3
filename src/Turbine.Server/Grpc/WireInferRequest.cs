using System.Buffers;
using System.Globalization;
using Turbine.Core;
using Turbine.Core.SharedMemory;
using Turbine.Core.Tensors;
using Turbine.Protocol.Grpc;
using Turbine.Server.Http;

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
internal static class WireInferRequestReader
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

    /// <summary>Checks one input tensor message; <paramref name="typed"/> is true when it has a <c>contents</c> field.</summary>
    private static string? CheckInput(ReadOnlySpan<byte> span, int start, int len, out bool typed)
    {
        typed = false;
        var reader = new ProtoReader(span, start, start + len);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wire, out var problem))
            {
                return "in an input: " + problem;
            }

            if (wire == 2)
            {
                if (!reader.TryReadLength(out var s, out var l, out problem))
                {
                    return "in an input: " + problem;
                }

                switch (field)
                {
                    case 1 or 2 when !IsUtf8(span.Slice(s, l)):
                        return "an input's name or datatype is not valid UTF-8";
                    case 3 when !ProtoReader.IsVarints(span.Slice(s, l)):
                        return "an input's packed shape ends inside a varint";
                    case 4 when CheckMapEntry(span, s, l) is { } bad:
                        return "in an input's parameters: " + bad;
                    case 5:
                        typed = true;
                        break;
                }
            }
            else if (!reader.TrySkip(wire, out problem))
            {
                return "in an input: " + problem;
            }
        }

        return null;
    }

    private static string? CheckOutput(ReadOnlySpan<byte> span, int start, int len)
    {
        var reader = new ProtoReader(span, start, start + len);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wire, out var problem))
            {
                return "in a requested output: " + problem;
            }

            if (wire == 2)
            {
                if (!reader.TryReadLength(out var s, out var l, out problem))
                {
                    return "in a requested output: " + problem;
                }

                if (field == 1 && !IsUtf8(span.Slice(s, l)))
                {
                    return "a requested output's name is not valid UTF-8";
                }

                if (field == 2 && CheckMapEntry(span, s, l) is { } bad)
                {
                    return "in a requested output's parameters: " + bad;
                }
            }
            else if (!reader.TrySkip(wire, out problem))
            {
                return "in a requested output: " + problem;
            }
        }

        return null;
    }

    /// <summary>Checks a <c>map&lt;string, InferParameter&gt;</c> entry and the parameter inside it.</summary>
    private static string? CheckMapEntry(ReadOnlySpan<byte> span, int start, int len)
    {
        var reader = new ProtoReader(span, start, start + len);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wire, out var problem))
            {
                return "in a parameters entry: " + problem;
            }

            if (wire == 2)
            {
                if (!reader.TryReadLength(out var s, out var l, out problem))
                {
                    return "in a parameters entry: " + problem;
                }

                if (field == 1 && !IsUtf8(span.Slice(s, l)))
                {
                    return "a parameter's name is not valid UTF-8";
                }

                if (field == 2 && CheckParameter(span, s, l) is { } bad)
                {
                    return bad;
                }
            }
            else if (!reader.TrySkip(wire, out problem))
            {
                return "in a parameters entry: " + problem;
            }
        }

        return null;
    }

    private static string? CheckParameter(ReadOnlySpan<byte> span, int start, int len)
    {
        var reader = new ProtoReader(span, start, start + len);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wire, out var problem))
            {
                return "in a parameter value: " + problem;
            }

            if (wire == 2)
            {
                if (!reader.TryReadLength(out var s, out var l, out problem))
                {
                    return "in a parameter value: " + problem;
                }

                if (field == 3 && !IsUtf8(span.Slice(s, l)))
                {
                    return "a parameter's string_param is not valid UTF-8";
                }
            }
            else if (!reader.TrySkip(wire, out problem))
            {
                return "in a parameter value: " + problem;
            }
        }

        return null;
    }

    /// <summary>True when the input's parameters name a shared memory region (it then has no raw entry).</summary>
    private static bool InputHasRegion(ReadOnlySpan<byte> span, int start, int len)
    {
        var reader = new ProtoReader(span, start, start + len);
        while (reader.TryNextLengthDelimited(out var field, out var s, out var l))
        {
            if (field == 4 && EntryKey(span, s, l).SequenceEqual("shared_memory_region"u8))
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<byte> EntryKey(ReadOnlySpan<byte> span, int start, int len)
    {
        ReadOnlySpan<byte> key = default;
        var reader = new ProtoReader(span, start, start + len);
        while (reader.TryNextLengthDelimited(out var field, out var s, out var l))
        {
            if (field == 1)
            {
                key = span.Slice(s, l);
            }
        }

        return key;
    }

    /// <summary>The map field <paramref name="mapField"/> of the message at [start, end) as engine parameters.</summary>
    private static Dictionary<string, Core.Tensors.InferParameter> ReadParameters(ReadOnlySpan<byte> span, int start, int end, int mapField, int count)
    {
        var result = new Dictionary<string, Core.Tensors.InferParameter>(count, StringComparer.Ordinal);
        var reader = new ProtoReader(span, start, end);
        while (reader.TryNextLengthDelimited(out var field, out var s, out var l))
        {
            if (field != mapField)
            {
                continue;
            }

            var key = "";
            var value = new ParameterValue();
            var entry = new ProtoReader(span, s, s + l);
            while (!entry.End)
            {
                entry.TryReadTag(out var f, out var w, out _);
                if (w == 2)
                {
                    entry.TryReadLength(out var vs, out var vl, out _);
                    if (f == 1)
                    {
                        key = Utf8Strings.Get(span.Slice(vs, vl));
                    }
                    else if (f == 2)
                    {
                        value.Merge(span, vs, vl);
                    }
                }
                else
                {
                    entry.TrySkip(w, out _);
                }
            }

            result[key] = value.ToParameter(span);
        }

        return result;
    }

    /// <summary>An InferParameter's oneof as protobuf merges it: the last field set wins.</summary>
    private struct ParameterValue
    {
        private int _case;
        private ulong _bits;
        private Range _text;

        public void Merge(ReadOnlySpan<byte> span, int start, int len)
        {
            var reader = new ProtoReader(span, start, start + len);
            while (!reader.End)
            {
                reader.TryReadTag(out var field, out var wire, out _);
                switch (field, wire)
                {
                    case (1 or 2 or 5, 0):
                        reader.TryReadVarint(out _bits);
                        _case = field;
                        break;
                    case (4, 1):
                        _bits = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(span.Slice(reader.Position, 8));
                        reader.TrySkip(1, out _);
                        _case = 4;
                        break;
                    case (3, 2):
                        reader.TryReadLength(out var s, out var l, out _);
                        _text = new Range(s, s + l);
                        _case = 3;
                        break;
                    default:
                        reader.TrySkip(wire, out _);
                        break;
                }
            }
        }

        public readonly Core.Tensors.InferParameter ToParameter(ReadOnlySpan<byte> span) => _case switch
        {
            1 => Core.Tensors.InferParameter.FromBool(_bits != 0),
            2 => Core.Tensors.InferParameter.FromInt64(unchecked((long)_bits)),
            4 => Core.Tensors.InferParameter.FromDouble(BitConverter.UInt64BitsToDouble(_bits)),
            5 => Core.Tensors.InferParameter.FromUInt64(_bits),
            3 => Core.Tensors.InferParameter.FromString(Utf8Strings.Get(span[_text])),
            _ => Core.Tensors.InferParameter.FromString(""),
        };
    }

    /// <summary>One input, with the checks and messages of <see cref="GrpcInferRequestReader.Read"/> in its order.</summary>
    private static InferenceError? AddInput(ReadOnlySpan<byte> span, int start, int len, InferenceRequest request, ReadOnlyMemory<byte> body,
        ReadOnlySpan<Range> raw, ref int next, out bool fallback)
    {
        fallback = false;
        Range name = default, datatype = default;
        int dims = 0, parameters = 0;
        var reader = new ProtoReader(span, start, start + len);
        while (!reader.End)
        {
            reader.TryReadTag(out var field, out var wire, out _);
            switch (field, wire)
            {
                case (1, 2):
                    reader.TryReadLength(out var ns, out var nl, out _);
                    name = new Range(ns, ns + nl);
                    break;
                case (2, 2):
                    reader.TryReadLength(out var ds, out var dl, out _);
                    datatype = new Range(ds, ds + dl);
                    break;
                case (3, 2):
                    reader.TryReadLength(out var ss, out var sl, out _);
                    dims += ProtoReader.CountVarints(span.Slice(ss, sl));
                    break;
                case (3, 0):
                    reader.TryReadVarint(out _);
                    dims++;
                    break;
                case (4, 2):
                    reader.TryReadLength(out _, out _, out _);
                    parameters++;
                    break;
                default:
                    reader.TrySkip(wire, out _);
                    break;
            }
        }

        var inputName = Utf8Strings.Get(span[name]);
        if (!TryParseDatatype(span[datatype], out var type))
        {
            return InferenceError.InvalidArgument(
                $"input '{inputName}': unknown datatype '{StrictUtf8.GetString(span[datatype])}'; expected one of {string.Join(", ", TensorDataTypes.All().Select(t => t.ToWireName()))}");
        }

        var shape = dims == 0 ? [] : new long[dims];
        var d = 0;
        var negative = false;
        reader = new ProtoReader(span, start, start + len);
        while (!reader.End)
        {
            reader.TryReadTag(out var field, out var wire, out _);
            if (field == 3 && wire == 0)
            {
                reader.TryReadVarint(out var v);
                negative |= (long)v < 0;
                shape[d++] = unchecked((long)v);
            }
            else if (field == 3 && wire == 2)
            {
                reader.TryReadLength(out var ss, out var sl, out _);
                var packed = new ProtoReader(span, ss, ss + sl);
                while (!packed.End)
                {
                    packed.TryReadVarint(out var v);
                    negative |= (long)v < 0;
                    shape[d++] = unchecked((long)v);
                }
            }
            else
            {
                reader.TrySkip(wire, out _);
            }
        }

        if (negative)
        {
            return InferenceError.InvalidArgument($"input '{inputName}': shape {TensorShape.Format(shape)} has a negative dimension");
        }

        var inputParameters = parameters > 0 ? ReadParameters(span, start, start + len, 4, parameters) : null;
        if (SharedMemoryParameters.Present(inputParameters))
        {
            // Data attached by the engine from the region (SharedMemoryBinding); an input with only an offset or size
            // still owns a raw entry (the engine reports the missing region).
            request.Inputs.Add(new InferenceTensor(inputName, type, shape, ReadOnlyMemory<byte>.Empty) { Parameters = inputParameters });
            if (!inputParameters!.ContainsKey(SharedMemoryParameters.Region))
            {
                next++;
            }

            return null;
        }

        if (raw.Length == 0)
        {
            fallback = true;
            return null;
        }

        var (offset, count) = raw[next++].GetOffsetAndLength(body.Length);
        request.Inputs.Add(new InferenceTensor(inputName, type, shape, body.Slice(offset, count)) { Parameters = inputParameters });
        return null;
    }

    private static void AddOutput(ReadOnlySpan<byte> span, int start, int len, InferenceRequest request)
    {
        var name = "";
        var parameters = 0;
        var reader = new ProtoReader(span, start, start + len);
        while (reader.TryNextLengthDelimited(out var field, out var s, out var l))
        {
            if (field == 1)
            {
                name = Utf8Strings.Get(span.Slice(s, l));
            }
            else if (field == 2)
            {
                parameters++;
            }
        }

        request.Outputs.Add(new RequestedOutput(name, parameters > 0 ? ReadParameters(span, start, start + len, 2, parameters) : null));
    }

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

    internal static string FormatVersion(long version) => version.ToString(CultureInfo.InvariantCulture);
}
