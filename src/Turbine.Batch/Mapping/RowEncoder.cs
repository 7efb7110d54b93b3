using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Turbine.Batch.Scoring;
using Turbine.Batch.Tables;
using Turbine.Core.Tensors;

namespace Turbine.Batch.Mapping;

/// <summary>
/// Turns one row's cells into the bytes of one model input (one row of the batch): flattens list cells, parses CSV
/// text (numbers, JSON arrays), converts to the input's element type, and works out the row's shape against the
/// input's dims. A row that does not convert gets a reason naming the column and the input.
/// </summary>
internal static class RowEncoder
{
    /// <summary>One row of one input.</summary>
    /// <param name="Data">The elements' bytes.</param>
    /// <param name="Shape">The row's shape (the input's dims with variable ones filled in).</param>
    public readonly record struct EncodedRow(byte[] Data, long[] Shape);

    public static bool TryEncode(TablePart part, int row, InputBinding binding, out EncodedRow encoded, out string? error)
    {
        encoded = default;
        var spec = binding.Spec;
        if (binding.Columns.Length == 1 && TryEncodeTyped(part.Columns[binding.Columns[0]][row], spec, out encoded))
        {
            error = null;
            return true;
        }

        var elements = new List<object?>();
        long[]? nestedShape = null;
        for (var i = 0; i < binding.Columns.Length; i++)
        {
            var cell = part.Columns[binding.Columns[i]][row];
            var name = binding.ColumnNames[i];
            if (cell is null)
            {
                error = $"column '{name}' is empty (input '{spec.Name}')";
                return false;
            }

            if (cell is string text && (spec.DataType != TensorDataType.Bytes || TensorShape.ElementCount(spec.Dims) != 1))
            {
                if (JsonValues.TryParseArrayText(text, out var parsed))
                {
                    cell = parsed;
                }
                else if (text.AsSpan().TrimStart().StartsWith("[", StringComparison.Ordinal))
                {
                    error = $"column '{name}' is not a valid JSON array (input '{spec.Name}')";
                    return false;
                }
                else if (binding.Columns.Length == 1 && !spec.Dims.Contains(-1) && TensorShape.ElementCount(spec.Dims) > 1)
                {
                    error = $"column '{name}' holds '{Shorten(text)}', not a JSON array of the {TensorShape.ElementCount(spec.Dims)} values input '{spec.Name}' needs ({TensorShape.Format(spec.Dims)})";
                    return false;
                }
            }

            cell = JsonValues.Boxed(cell);
            var before = elements.Count;
            if (!TryFlatten(cell, elements, out var shape, 0))
            {
                error = $"column '{name}' is not a rectangular array (input '{spec.Name}')";
                return false;
            }

            nestedShape = binding.Columns.Length == 1 ? shape : [elements.Count];
            _ = before;
        }

        if (!TryShape(spec.Dims, elements.Count, nestedShape ?? [], out var rowShape))
        {
            error = $"input '{spec.Name}' needs {TensorShape.Format(spec.Dims)} per row, got {elements.Count} value{(elements.Count == 1 ? "" : "s")} from {string.Join(", ", binding.ColumnNames.Select(c => $"'{c}'"))}";
            return false;
        }

        if (!TryConvert(elements, spec.DataType, out var data, out var bad))
        {
            error = $"column {string.Join("/", binding.ColumnNames.Select(c => $"'{c}'"))}: {bad} (input '{spec.Name}' is {spec.DataType.ToWireName()})";
            return false;
        }

        encoded = new EncodedRow(data, rowShape);
        error = null;
        return true;
    }

    /// <summary>
    /// The fast path for a typed float/double list (Parquet lists of stored tensors) into an FP32 or FP64 input of a fixed
    /// element count: one conversion loop, no boxing. False (the general path decides, with its errors) otherwise.
    /// </summary>
    private static bool TryEncodeTyped(object? cell, TensorSpec spec, out EncodedRow encoded)
    {
        encoded = default;
        if (cell is not (float[] or double[]) || spec.DataType is not (TensorDataType.FP32 or TensorDataType.FP64) || spec.Dims.Contains(-1))
        {
            return false;
        }

        var count = cell is float[] f ? f.Length : ((double[])cell).Length;
        if (TensorShape.ElementCount(spec.Dims) != count)
        {
            return false;
        }

        var data = new byte[count * spec.DataType.ElementSize()];
        switch (cell, spec.DataType)
        {
            case (float[] floats, TensorDataType.FP32):
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()).CopyTo(data);
                break;
            case (double[] doubles, TensorDataType.FP64):
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(doubles.AsSpan()).CopyTo(data);
                break;
            case (float[] floats, _):
                var asDoubles = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(data.AsSpan());
                for (var i = 0; i < floats.Length; i++)
                {
                    asDoubles[i] = floats[i];
                }

                break;
            case (double[] doubles, _):
                var asFloats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data.AsSpan());
                for (var i = 0; i < doubles.Length; i++)
                {
                    asFloats[i] = (float)doubles[i];
                }

                break;
        }

        encoded = new EncodedRow(data, [.. spec.Dims]);
        return true;
    }

    private static bool TryFlatten(object? cell, List<object?> elements, out long[] shape, int depth)
    {
        shape = [];
        if (cell is not object?[] list)
        {
            elements.Add(cell);
            return true;
        }

        if (depth > 8)
        {
            return false;
        }

        long[]? inner = null;
        foreach (var item in list)
        {
            if (!TryFlatten(item, elements, out var s, depth + 1))
            {
                return false;
            }

            if (inner is null)
            {
                inner = s;
            }
            else if (!inner.AsSpan().SequenceEqual(s))
            {
                return false;
            }
        }

        shape = [list.Length, .. inner ?? []];
        return true;
    }

    private static bool TryShape(long[] dims, int count, long[] nested, out long[] shape)
    {
        shape = dims;
        if (!dims.Contains(-1))
        {
            return TensorShape.ElementCount(dims) == count;
        }

        if (nested.Length == dims.Length && TensorShape.Matches(dims, nested))
        {
            shape = nested;
            return true;
        }

        if (dims.Count(d => d == -1) == 1)
        {
            long known = 1;
            foreach (var d in dims)
            {
                known *= d == -1 ? 1 : d;
            }

            if (known > 0 && count % known == 0 && count > 0)
            {
                shape = dims.Select(d => d == -1 ? count / known : d).ToArray();
                return true;
            }
        }

        return false;
    }

    private static bool TryConvert(List<object?> elements, TensorDataType type, out byte[] data, out string? bad)
    {
        bad = null;
        if (type == TensorDataType.Bytes)
        {
            var strings = new byte[elements.Count][];
            var total = 0;
            for (var i = 0; i < elements.Count; i++)
            {
                strings[i] = Encoding.UTF8.GetBytes(JsonValues.ToText(elements[i]));
                total += 4 + strings[i].Length;
            }

            data = new byte[total];
            var offset = 0;
            foreach (var s in strings)
            {
                BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(offset), s.Length);
                s.CopyTo(data, offset + 4);
                offset += 4 + s.Length;
            }

            return true;
        }

        var size = type.ElementSize();
        data = new byte[elements.Count * size];
        for (var i = 0; i < elements.Count; i++)
        {
            if (!TryNumber(elements[i], out var number, out var integer))
            {
                bad = $"'{Shorten(JsonValues.ToText(elements[i]))}' is not a number";
                return false;
            }

            var span = data.AsSpan(i * size, size);
            switch (type)
            {
                case TensorDataType.FP32: BinaryPrimitives.WriteSingleLittleEndian(span, (float)number); break;
                case TensorDataType.FP64: BinaryPrimitives.WriteDoubleLittleEndian(span, number); break;
                case TensorDataType.FP16: BinaryPrimitives.WriteHalfLittleEndian(span, (Half)number); break;
                case TensorDataType.Bool: span[0] = number != 0 ? (byte)1 : (byte)0; break;
                default:
                    if (integer is not { } whole)
                    {
                        if (number != Math.Floor(number) || double.IsInfinity(number))
                        {
                            bad = $"{number.ToString(CultureInfo.InvariantCulture)} is not an integer";
                            return false;
                        }

                        whole = (long)number;
                    }

                    if (!TryWriteInteger(span, type, whole))
                    {
                        bad = $"{whole.ToString(CultureInfo.InvariantCulture)} is out of range";
                        return false;
                    }

                    break;
            }
        }

        return true;
    }

    private static bool TryWriteInteger(Span<byte> span, TensorDataType type, long v)
    {
        switch (type)
        {
            case TensorDataType.Int8 when v is >= sbyte.MinValue and <= sbyte.MaxValue: span[0] = unchecked((byte)(sbyte)v); return true;
            case TensorDataType.UInt8 when v is >= 0 and <= byte.MaxValue: span[0] = (byte)v; return true;
            case TensorDataType.Int16 when v is >= short.MinValue and <= short.MaxValue: BinaryPrimitives.WriteInt16LittleEndian(span, (short)v); return true;
            case TensorDataType.UInt16 when v is >= 0 and <= ushort.MaxValue: BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)v); return true;
            case TensorDataType.Int32 when v is >= int.MinValue and <= int.MaxValue: BinaryPrimitives.WriteInt32LittleEndian(span, (int)v); return true;
            case TensorDataType.UInt32 when v is >= 0 and <= uint.MaxValue: BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)v); return true;
            case TensorDataType.Int64: BinaryPrimitives.WriteInt64LittleEndian(span, v); return true;
            case TensorDataType.UInt64 when v >= 0: BinaryPrimitives.WriteUInt64LittleEndian(span, (ulong)v); return true;
            default: return false;
        }
    }

    private static bool TryNumber(object? value, out double number, out long? integer)
    {
        integer = null;
        switch (value)
        {
            case long l: number = l; integer = l; return true;
            case int i: number = i; integer = i; return true;
            case double d: number = d; return true;
            case float f: number = f; return true;
            case bool b: number = b ? 1 : 0; integer = b ? 1 : 0; return true;
            case string s:
                var t = s.Trim();
                if (long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
                {
                    number = parsed;
                    integer = parsed;
                    return true;
                }

                if (t.Equals("true", StringComparison.OrdinalIgnoreCase) || t.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    integer = t.Length == 4 ? 1 : 0;
                    number = integer.Value;
                    return true;
                }

                return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && t.Length > 0;
            default:
                number = 0;
                return false;
        }
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
