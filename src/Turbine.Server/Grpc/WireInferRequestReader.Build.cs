using Turbine.Core;
using Turbine.Core.SharedMemory;
using Turbine.Core.Tensors;
using Turbine.Server.Http;

namespace Turbine.Server.Grpc;

/// <summary>Pass 2: the engine request's inputs, outputs and parameters from checked bytes.</summary>
internal static partial class WireInferRequestReader
{
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
}
