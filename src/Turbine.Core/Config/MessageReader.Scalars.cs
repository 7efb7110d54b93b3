using System.Collections.Immutable;
using System.Globalization;

namespace Turbine.Core.Config;

/// <summary>Typed scalar getters with protobuf text-format and JSON conversion rules.</summary>
internal sealed partial class MessageReader
{
    public string String(string name, string defaultValue = "") =>
        Last(name) is { } v ? ToStringValue(Spec(name), v) : defaultValue;

    public bool Bool(string name) => Last(name) is { } v && ToBool(Spec(name), v);

    public int Int32(string name, int defaultValue = 0) =>
        Last(name) is { } v ? (int)ToInteger(Spec(name), v, int.MinValue, int.MaxValue) : defaultValue;

    public long Int64(string name) =>
        Last(name) is { } v ? (long)ToInteger(Spec(name), v, long.MinValue, long.MaxValue) : 0;

    public ulong UInt64(string name) =>
        Last(name) is { } v ? (ulong)ToInteger(Spec(name), v, 0, ulong.MaxValue) : 0;

    public float Float(string name) => Last(name) is { } v ? ToFloat(Spec(name), v) : 0f;

    public int Enum(string name) => Last(name) is { } v ? ToEnum(Spec(name), v) : 0;

    public ImmutableArray<long> Int64s(string name) =>
        All(name, (s, v) => (long)ToInteger(s, v, long.MinValue, long.MaxValue));

    public ImmutableArray<int> Int32s(string name) =>
        All(name, (s, v) => (int)ToInteger(s, v, int.MinValue, int.MaxValue));

    public ImmutableArray<float> Floats(string name) => All(name, ToFloat);

    public ImmutableArray<bool> Bools(string name) => All(name, ToBool);

    private PbValue? Last(string name) => _values.TryGetValue(Spec(name).Name, out var v) ? v[^1] : null;

    private ImmutableArray<T> All<T>(string name, Func<FieldSpec, PbValue, T> convert)
    {
        var spec = Spec(name);
        if (!_values.TryGetValue(name, out var values))
        {
            return [];
        }

        var builder = ImmutableArray.CreateBuilder<T>(values.Count);
        foreach (var value in values)
        {
            builder.Add(convert(spec, value));
        }

        return builder.MoveToImmutable();
    }

    private string ToStringValue(FieldSpec spec, PbValue value) =>
        value is PbScalar { Kind: PbScalarKind.String } s ? s.Text : throw Mismatch(spec, value);

    private bool ToBool(FieldSpec spec, PbValue value)
    {
        var s = (PbScalar)value;
        if (!s.Negative && s.Kind is PbScalarKind.Identifier or PbScalarKind.Integer)
        {
            switch (s.Text)
            {
                case "true" or "True" or "t" or "1":
                    return true;
                case "false" or "False" or "f" or "0":
                    return false;
            }
        }

        throw Mismatch(spec, value);
    }

    private Int128 ToInteger(FieldSpec spec, PbValue value, Int128 min, Int128 max)
    {
        var s = (PbScalar)value;
        Int128 result;
        switch (s.Kind)
        {
            case PbScalarKind.Integer:
                result = ParseMagnitude(spec, s);
                if (s.Negative)
                {
                    result = -result;
                }

                break;
            case PbScalarKind.String when s.FromJson:
            case PbScalarKind.Float when s.FromJson:
                var text = s.Kind == PbScalarKind.Float && s.Negative ? "-" + s.Text : s.Text;
                if (Int128.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result))
                {
                    break;
                }

                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    && double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) < 1e38)
                {
                    result = (Int128)d;
                    break;
                }

                throw Mismatch(spec, value);
            default:
                throw Mismatch(spec, value);
        }

        if (result < min || result > max)
        {
            throw Error(value, $"field '{spec.Name}' in {Schema.TypeName} is out of range: got {result}, expected {min}..{max}");
        }

        return result;
    }

    private Int128 ParseMagnitude(FieldSpec spec, PbScalar s)
    {
        var text = s.Text;
        UInt128 magnitude = 0;
        var (digits, radix) = text.Length > 2 && text[0] == '0' && text[1] is 'x' or 'X' ? (text[2..], 16)
            : text.Length > 1 && text[0] == '0' ? (text[1..], 8)
            : (text, 10);
        foreach (var c in digits)
        {
            var digit = char.IsAsciiDigit(c) ? c - '0' : char.ToLowerInvariant(c) - 'a' + 10;
            if (digit >= radix)
            {
                throw Error(s, $"field '{spec.Name}' in {Schema.TypeName}: invalid octal number '{text}'");
            }

            magnitude = (magnitude * (uint)radix) + (uint)digit;
            if (magnitude > ulong.MaxValue)
            {
                throw Error(s, $"field '{spec.Name}' in {Schema.TypeName} is out of range: got {(s.Negative ? "-" : "")}{text}");
            }
        }

        return (Int128)magnitude;
    }

    private float ToFloat(FieldSpec spec, PbValue value)
    {
        var s = (PbScalar)value;
        double result;
        switch (s.Kind)
        {
            case PbScalarKind.Integer when !s.Text.StartsWith("0x", StringComparison.OrdinalIgnoreCase):
            case PbScalarKind.Float:
                result = double.Parse(s.Text.TrimEnd('f', 'F'), NumberStyles.Float, CultureInfo.InvariantCulture);
                break;
            case PbScalarKind.Integer:
                result = (double)ParseMagnitude(spec, s);
                break;
            case PbScalarKind.Identifier when !s.FromJson && s.Text.ToUpperInvariant() is "INF" or "INFINITY":
                result = double.PositiveInfinity;
                break;
            case PbScalarKind.Identifier when !s.FromJson && s.Text.ToUpperInvariant() is "NAN":
                result = double.NaN;
                break;
            case PbScalarKind.String when s.FromJson:
                result = s.Text switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    _ when double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
                    _ => throw Mismatch(spec, value),
                };
                break;
            default:
                throw Mismatch(spec, value);
        }

        return (float)(s.Negative ? -result : result);
    }

    private int ToEnum(FieldSpec spec, PbValue value)
    {
        var s = (PbScalar)value;
        var e = spec.Enum!;
        if (s.Kind == PbScalarKind.Integer || (s.Kind == PbScalarKind.Float && s.FromJson))
        {
            var number = ToInteger(spec, value, int.MinValue, int.MaxValue);
            return number >= 0 && number < e.Count
                ? (int)number
                : throw Error(value, $"field '{spec.Name}' in {Schema.TypeName}: {number} is not a {e.TypeName} value; expected {e.Expected}");
        }

        var isName = !s.Negative && (s.Kind == PbScalarKind.Identifier ? !s.FromJson : s.FromJson && s.Kind == PbScalarKind.String);
        if (!isName)
        {
            throw Mismatch(spec, value);
        }

        return e.TryParse(s.Text, out var v)
            ? v
            : throw Error(value, $"field '{spec.Name}' in {Schema.TypeName}: unknown {e.TypeName} value '{s.Text}'; expected {e.Expected}");
    }

    private ModelConfigException Mismatch(FieldSpec spec, PbValue value) =>
        TypeError(spec, value, value is PbScalar s ? s.Describe() : "a message");
}
