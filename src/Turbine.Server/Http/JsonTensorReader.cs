using System.Buffers.Binary;
using System.Text.Json;
using Turbine.Core;
using Turbine.Core.Tensors;
using Turbine.Protocol;

namespace Turbine.Server.Http;

/// <summary>
/// Converts a tensor's JSON <c>data</c> (flat or nested arrays, row-major) into the protocol's raw layout in
/// a pooled buffer, checking every value against the datatype's range and the element count against the shape.
/// </summary>
internal static class JsonTensorReader
{
    public static Result<PooledBuffer> Read(ReadOnlySpan<byte> json, string name, TensorDataType type, long[] shape)
    {
        var expected = TensorShape.ElementCount(shape);
        var size = type.ElementSize();
        // A shape can claim far more elements than the JSON holds: count first, allocate after.
        if (expected < 0)
        {
            return InferenceError.InvalidArgument(
                $"input '{name}': shape {TensorShape.Format(shape)} has more elements than a tensor can hold");
        }

        var counted = CountScalars(json);
        if (counted != expected)
        {
            return InferenceError.InvalidArgument(
                $"input '{name}': shape {TensorShape.Format(shape)} needs {expected} elements, but 'data' holds {counted}");
        }

#pragma warning disable CA2000 // returned to the caller inside the Result; every error return disposes it
        var buffer = new PooledBuffer(size == 0 ? Math.Max(json.Length, 16) : (int)Math.Max(counted * size, 1));
#pragma warning restore CA2000
        var reader = new Utf8JsonReader(json);
        long index = 0;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.EndArray)
            {
                continue;
            }

            var error = WriteScalar(ref reader, buffer, name, type, index);
            if (error is not null)
            {
                buffer.Dispose();
                return error;
            }

            index++;
        }

        return Result<PooledBuffer>.Ok(buffer);
    }

    private static long CountScalars(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        long count = 0;
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.EndArray))
            {
                // An object is one (wrong) element: skip its contents so the kind error names it.
                reader.Skip();
                count++;
            }
        }

        return count;
    }

    private static InferenceError? WriteScalar(ref Utf8JsonReader reader, PooledBuffer buffer, string name, TensorDataType type, long index)
    {
        switch (type)
        {
            case TensorDataType.Bytes:
                if (reader.TokenType != JsonTokenType.String)
                {
                    return Mismatch(name, type, index, reader.TokenType);
                }

                var length = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
                var span = buffer.GetSpan(4 + length);
                int written;
                try
                {
                    // Unescaping throws on a lone surrogate escape (\ud800); raw bytes are checked below.
                    written = reader.CopyString(span[4..]);
                }
                catch (InvalidOperationException e)
                {
                    return NotText(name, index, e.Message);
                }

                if (!System.Text.Unicode.Utf8.IsValid(span.Slice(4, written)))
                {
                    return NotText(name, index, "the string holds bytes that are not valid UTF-8");
                }

                buffer.Advance(BytesTensor.WriteLengthPrefix(span, written));
                return null;
            case TensorDataType.Bool:
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    return Mismatch(name, type, index, reader.TokenType);
                }

                buffer.GetSpan(1)[0] = reader.TokenType == JsonTokenType.True ? (byte)1 : (byte)0;
                buffer.Advance(1);
                return null;
        }

        if (reader.TokenType == JsonTokenType.String && type.IsFloatingPoint() && NamedFloat(ref reader) is { } named)
        {
            // The writer's spelling of non-finite values ("NaN", "Infinity", "-Infinity") reads back.
            var n = buffer.GetSpan(8);
            switch (type)
            {
                case TensorDataType.FP16: BinaryPrimitives.WriteHalfLittleEndian(n, (Half)named); break;
                case TensorDataType.BF16: BinaryPrimitives.WriteUInt16LittleEndian(n, HalfCodec.DoubleToBf16(named)); break;
                case TensorDataType.FP32: BinaryPrimitives.WriteSingleLittleEndian(n, (float)named); break;
                default: BinaryPrimitives.WriteDoubleLittleEndian(n, named); break;
            }

            buffer.Advance(type.ElementSize());
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            return Mismatch(name, type, index, reader.TokenType);
        }

        var s = buffer.GetSpan(8);
        bool ok;
        switch (type)
        {
            case TensorDataType.UInt8:
                ok = reader.TryGetByte(out var u8);
                s[0] = u8;
                break;
            case TensorDataType.Int8:
                ok = reader.TryGetSByte(out var i8);
                s[0] = unchecked((byte)i8);
                break;
            case TensorDataType.UInt16:
                ok = reader.TryGetUInt16(out var u16);
                BinaryPrimitives.WriteUInt16LittleEndian(s, u16);
                break;
            case TensorDataType.Int16:
                ok = reader.TryGetInt16(out var i16);
                BinaryPrimitives.WriteInt16LittleEndian(s, i16);
                break;
            case TensorDataType.UInt32:
                ok = reader.TryGetUInt32(out var u32);
                BinaryPrimitives.WriteUInt32LittleEndian(s, u32);
                break;
            case TensorDataType.Int32:
                ok = reader.TryGetInt32(out var i32);
                BinaryPrimitives.WriteInt32LittleEndian(s, i32);
                break;
            case TensorDataType.UInt64:
                ok = reader.TryGetUInt64(out var u64);
                BinaryPrimitives.WriteUInt64LittleEndian(s, u64);
                break;
            case TensorDataType.Int64:
                ok = reader.TryGetInt64(out var i64);
                BinaryPrimitives.WriteInt64LittleEndian(s, i64);
                break;
            // JSON numbers are finite: one that only fits the type as an infinity is out of range.
            case TensorDataType.FP16:
                ok = reader.TryGetDouble(out var h) && Half.IsFinite((Half)h);
                BinaryPrimitives.WriteHalfLittleEndian(s, (Half)h);
                break;
            case TensorDataType.BF16:
                ok = reader.TryGetDouble(out var b);
                var bf = HalfCodec.DoubleToBf16(b);
                ok &= (bf & 0x7F80) != 0x7F80;
                BinaryPrimitives.WriteUInt16LittleEndian(s, bf);
                break;
            case TensorDataType.FP32:
                ok = reader.TryGetDouble(out var f) && float.IsFinite((float)f);
                BinaryPrimitives.WriteSingleLittleEndian(s, (float)f);
                break;
            case TensorDataType.FP64:
                ok = reader.TryGetDouble(out var d) && double.IsFinite(d);
                BinaryPrimitives.WriteDoubleLittleEndian(s, d);
                break;
            default:
                return InferenceError.InvalidArgument($"input '{name}': datatype {type.ToWireName()} cannot be sent as JSON");
        }

        if (!ok)
        {
            var text = System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            return InferenceError.InvalidArgument(
                $"input '{name}': element {index} value {text} is not a valid {type.ToWireName()} (out of range or not an integer)");
        }

        buffer.Advance(type.ElementSize());
        return null;
    }

    private static double? NamedFloat(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("NaN"u8) ? double.NaN
        : reader.ValueTextEquals("Infinity"u8) ? double.PositiveInfinity
        : reader.ValueTextEquals("-Infinity"u8) ? double.NegativeInfinity
        : null;

    private static InferenceError NotText(string name, long index, string reason) =>
        InferenceError.InvalidArgument(
            $"input '{name}': element {index} is not valid text ({reason}); JSON strings must be valid UTF-8 without lone surrogates, send arbitrary BYTES as binary data");

    private static InferenceError Mismatch(string name, TensorDataType type, long index, JsonTokenType token) =>
        InferenceError.InvalidArgument(
            $"input '{name}': element {index} is a JSON {Describe(token)}, but datatype {type.ToWireName()} expects {Expected(type)}");

    private static string Expected(TensorDataType type) => type switch
    {
        TensorDataType.Bytes => "strings",
        TensorDataType.Bool => "true or false",
        _ => "numbers",
    };

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "object",
        _ => token.ToString(),
    };
}
