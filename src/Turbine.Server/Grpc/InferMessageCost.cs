using System.Buffers;

namespace Turbine.Server.Grpc;

/// <summary>
/// What parsing one <c>ModelInferRequest</c> will allocate, read off its wire bytes before protobuf parses it.
/// Protobuf widens what it parses: a one-byte varint in packed <c>int64_contents</c> becomes an 8-byte element (and a
/// list that grows by doubling), a one-byte <c>bytes_contents</c> entry becomes a ByteString object and an array,
/// an unknown field joins a list. A message within the size limit can therefore need many times its size once
/// parsed, before any Turbine code sees it; this estimate lets the body reader refuse it first.
/// </summary>
internal static class InferMessageCost
{
    /// <summary>Bytes an object holding a byte array costs beyond the bytes (ByteString + array headers).</summary>
    private const long PerBytesEntry = 56;

    /// <summary>Bytes a parsed map entry, string or unknown field costs beyond its wire bytes, at most.</summary>
    private const long PerObject = 64;

    /// <summary>
    /// Estimated bytes parsing <paramref name="message"/> (one ModelInferRequest, no frame prefix) allocates, or -1
    /// when its wire format is broken where protobuf would refuse it (a zero field number, an invalid wire type, a
    /// field running past the end of its message): such a message is refused as INVALID_ARGUMENT before parsing.
    /// </summary>
    public static long Estimate(ReadOnlySequence<byte> message)
    {
        var reader = new SequenceReader<byte>(message);
        return Walk(ref reader, message.Length, Level.Request);
    }

    private enum Level
    {
        Request,
        Input,
        Contents,
        MapEntry,
        Parameter,
        Output,
    }

    private static long Walk(ref SequenceReader<byte> reader, long length, Level level)
    {
        var end = reader.Consumed + length;
        long cost = 0;
        while (reader.Consumed < end)
        {
            if (!TryVarint(ref reader, out var tag) || tag >> 3 == 0 || tag >> 3 > int.MaxValue >> 3)
            {
                return -1;
            }

            var field = (int)(tag >> 3);
            var wire = (int)(tag & 7);
            long part;
            switch (wire)
            {
                case 0:
                    if (!TryVarint(ref reader, out _) || reader.Consumed > end)
                    {
                        return -1;
                    }

                    cost += level == Level.Contents || level == Level.Input ? 16 : PerObject; // a repeated element (grown by doubling) or an unknown field
                    break;
                case 1 or 5:
                    var size = wire == 1 ? 8 : 4;
                    if (end - reader.Consumed < size)
                    {
                        return -1;
                    }

                    reader.Advance(size);
                    cost += 16;
                    break;
                case 2:
                    if (!TryVarint(ref reader, out var len) || len > (ulong)(end - reader.Consumed))
                    {
                        return -1;
                    }

                    part = LengthDelimited(ref reader, (long)len, field, level);
                    if (part < 0)
                    {
                        return -1;
                    }

                    cost += part;
                    break;
                default:
                    return -1; // groups (not in this proto) and invalid wire types
            }
        }

        return cost;
    }

    private static long LengthDelimited(ref SequenceReader<byte> reader, long len, int field, Level level)
    {
        switch (level, field)
        {
            case (Level.Request, 5):
                return Nested(ref reader, len, Level.Input);
            case (Level.Input, 5):
                return Nested(ref reader, len, Level.Contents);
            case (Level.Request, 4) or (Level.Input, 4) or (Level.Output, 2):
                return Nested(ref reader, len, Level.MapEntry); // a parameters map entry
            case (Level.Request, 6):
                return Nested(ref reader, len, Level.Output);
            case (Level.MapEntry, 2):
                return Nested(ref reader, len, Level.Parameter);
            case (Level.Request, 1 or 2 or 3) or (Level.Input, 1 or 2) or (Level.MapEntry, 1) or (Level.Parameter, 3) or (Level.Output, 1):
            {
                // A string: protobuf refuses one that is not UTF-8.
                var text = reader.UnreadSequence.Slice(0, len);
                var valid = text.IsSingleSegment ? System.Text.Unicode.Utf8.IsValid(text.FirstSpan) : System.Text.Unicode.Utf8.IsValid(text.ToArray());
                reader.Advance(len);
                return valid ? PerObject + (2 * len) : -1;
            }

            case (Level.Request, 7) or (Level.Contents, 8):
                reader.Advance(len);
                return PerBytesEntry + len; // raw_input_contents / bytes_contents: copied into a new array
            case (Level.Input, 3) or (Level.Contents, >= 1 and <= 5):
            {
                // Packed varints: one element per byte without the continuation bit, up to 8 bytes each, and the
                // list's doubling growth on top.
                var count = CountVarints(ref reader, len);
                var width = field == 1 && level == Level.Contents ? 1 : 8;
                return 2 * count * width;
            }

            case (Level.Contents, 6):
                reader.Advance(len);
                return 2 * len; // packed floats: 4 bytes each, doubled growth
            case (Level.Contents, 7):
                reader.Advance(len);
                return 2 * len; // packed doubles
            default:
                // Strings, map entries and unknown fields: the bytes (as UTF-16 for strings) plus an object.
                reader.Advance(len);
                return PerObject + (2 * len);
        }
    }

    private static long Nested(ref SequenceReader<byte> reader, long len, Level level)
    {
        var inner = Walk(ref reader, len, level);
        return inner < 0 ? -1 : PerObject + inner;
    }

    private static long CountVarints(ref SequenceReader<byte> reader, long len)
    {
        long count = 0;
        var left = len;
        while (left > 0)
        {
            var span = reader.UnreadSpan;
            var n = (int)Math.Min(span.Length, left);
            foreach (var b in span[..n])
            {
                if ((b & 0x80) == 0)
                {
                    count++;
                }
            }

            reader.Advance(n);
            left -= n;
        }

        return count;
    }

    private static bool TryVarint(ref SequenceReader<byte> reader, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out var b))
            {
                return false;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
