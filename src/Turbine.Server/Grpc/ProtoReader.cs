namespace Turbine.Server.Grpc;

/// <summary>
/// Protobuf wire-format reading over one contiguous span, bounded to a message's [start, end): every length is checked
/// against the bytes present before it is used. Problems come back as text naming them and the byte offset.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _span;
    private readonly int _end;
    private int _pos;

    public ProtoReader(ReadOnlySpan<byte> span, int start, int end)
    {
        _span = span;
        _pos = start;
        _end = end;
    }

    public readonly bool End => _pos >= _end;

    public readonly int Position => _pos;

    public bool TryReadVarint(out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= _end)
            {
                return false;
            }

            var b = _span[_pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false; // more than ten bytes
    }

    public bool TryReadTag(out int field, out int wire, out string problem)
    {
        var at = _pos;
        field = 0;
        wire = 0;
        if (!TryReadVarint(out var tag))
        {
            problem = $"a field tag is a truncated varint at byte {at}";
            return false;
        }

        if (tag > uint.MaxValue || tag >> 3 == 0)
        {
            problem = $"field number {tag >> 3} at byte {at} is not valid";
            return false;
        }

        field = (int)(tag >> 3);
        wire = (int)(tag & 7);
        problem = "";
        return true;
    }

    /// <summary>Reads a length prefix; the bytes it covers must lie within the message.</summary>
    public bool TryReadLength(out int start, out int length, out string problem)
    {
        var at = _pos;
        start = 0;
        length = 0;
        if (!TryReadVarint(out var len))
        {
            problem = $"a length is a truncated varint at byte {at}";
            return false;
        }

        if (len > (ulong)(_end - _pos))
        {
            problem = $"the length {len} at byte {at} runs past the end of its message ({_end - _pos} bytes left)";
            return false;
        }

        start = _pos;
        length = (int)len;
        _pos += length;
        problem = "";
        return true;
    }

    /// <summary>Skips a field's value of wire type <paramref name="wire"/> (groups and invalid wire types are refused).</summary>
    public bool TrySkip(int wire, out string problem)
    {
        var at = _pos;
        switch (wire)
        {
            case 0:
                problem = TryReadVarint(out _) ? "" : $"a varint value is truncated at byte {at}";
                break;
            case 1 or 5:
                var size = wire == 1 ? 8 : 4;
                if (_end - _pos < size)
                {
                    problem = $"a fixed {size}-byte value at byte {at} runs past the end of its message";
                }
                else
                {
                    _pos += size;
                    problem = "";
                }

                break;
            case 2:
                TryReadLength(out _, out _, out problem);
                break;
            default:
                problem = $"wire type {wire} at byte {at} is not valid here (groups are not part of this protocol)";
                break;
        }

        return problem.Length == 0;
    }

    /// <summary>The next length-delimited field of an already checked message, skipping the others.</summary>
    public bool TryNextLengthDelimited(out int field, out int start, out int length)
    {
        while (!End)
        {
            TryReadTag(out field, out var wire, out _);
            if (wire == 2)
            {
                TryReadLength(out start, out length, out _);
                return true;
            }

            TrySkip(wire, out _);
        }

        field = 0;
        start = 0;
        length = 0;
        return false;
    }

    /// <summary>True when <paramref name="packed"/> is a whole number of varints of at most ten bytes each.</summary>
    public static bool IsVarints(ReadOnlySpan<byte> packed)
    {
        var run = 0;
        foreach (var b in packed)
        {
            if (++run > 10)
            {
                return false;
            }

            if ((b & 0x80) == 0)
            {
                run = 0;
            }
        }

        return run == 0;
    }

    /// <summary>The number of varints in a checked packed field.</summary>
    public static int CountVarints(ReadOnlySpan<byte> packed)
    {
        var count = 0;
        foreach (var b in packed)
        {
            count += (b & 0x80) == 0 ? 1 : 0;
        }

        return count;
    }
}
