using System.Globalization;
using System.Text.Json;
using Turbine.Protocol;

namespace Turbine.Cli.Commands;

/// <summary>
/// Writes floating-point tensor values at their own precision: the shortest decimal that reads back to the same
/// FP32, FP16 or BF16 value (an FP32 1.3274465E-08, not the double 1.3274465082702136E-08). Non-finite values are
/// strings ("NaN", "Infinity"), as JSON has no literal for them.
/// </summary>
internal static class TensorNumberText
{
    public static void Write(Utf8JsonWriter writer, float value) =>
        WriteText(writer, value.ToString("R", CultureInfo.InvariantCulture), float.IsFinite(value));

    public static void Write(Utf8JsonWriter writer, double value) =>
        WriteText(writer, value.ToString("R", CultureInfo.InvariantCulture), double.IsFinite(value));

    public static void Write(Utf8JsonWriter writer, Half value) =>
        WriteText(writer, value.ToString(CultureInfo.InvariantCulture), Half.IsFinite(value));

    /// <summary>A BF16 value given by its 16 bits (the high half of an FP32).</summary>
    public static void WriteBFloat16(Utf8JsonWriter writer, ushort bits) => WriteText(writer, BFloat16Text(bits), float.IsFinite(HalfCodec.Bf16ToSingle(bits)));

    /// <summary>The shortest decimal whose FP32 value rounds (to nearest even) to the same BF16 bits.</summary>
    internal static string BFloat16Text(ushort bits)
    {
        var value = HalfCodec.Bf16ToSingle(bits);
        if (!float.IsFinite(value))
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        for (var digits = 1; digits < 9; digits++)
        {
            var text = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (HalfCodec.SingleToBf16(float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)) == bits)
            {
                return text;
            }
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static void WriteText(Utf8JsonWriter writer, string text, bool finite)
    {
        if (finite)
        {
            writer.WriteRawValue(text);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }
}
