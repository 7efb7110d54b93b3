namespace Turbine.Server.Grpc;

/// <summary>Pass 1: the wire structure of every nested message the reader descends into.</summary>
internal static partial class WireInferRequestReader
{
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
}
