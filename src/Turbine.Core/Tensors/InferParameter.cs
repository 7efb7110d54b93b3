using System.Globalization;

namespace Turbine.Core.Tensors;

/// <summary>The kind held by an <see cref="InferParameter"/> (the oneof of the protocol's InferParameter).</summary>
public enum InferParameterKind
{
    Bool,
    Int64,
    String,
    Double,
    UInt64,
}

/// <summary>A request, input or output parameter value: bool, int64, string, double or uint64.</summary>
public readonly record struct InferParameter
{
    private readonly long _int;
    private readonly double _double;
    private readonly string? _string;

    private InferParameter(InferParameterKind kind, long i, double d, string? s)
    {
        Kind = kind;
        _int = i;
        _double = d;
        _string = s;
    }

    public InferParameterKind Kind { get; }

    public static InferParameter FromBool(bool value) => new(InferParameterKind.Bool, value ? 1 : 0, 0, null);

    public static InferParameter FromInt64(long value) => new(InferParameterKind.Int64, value, 0, null);

    public static InferParameter FromUInt64(ulong value) => new(InferParameterKind.UInt64, unchecked((long)value), 0, null);

    public static InferParameter FromDouble(double value) => new(InferParameterKind.Double, 0, value, null);

    public static InferParameter FromString(string value) => new(InferParameterKind.String, 0, 0, value);

    public bool BoolValue => _int != 0;

    public long Int64Value => _int;

    public ulong UInt64Value => unchecked((ulong)_int);

    public double DoubleValue => _double;

    public string StringValue => _string ?? "";

    /// <summary>Reads the value as an integer when it is one (int64, uint64 in range, or an integral double).</summary>
    public bool TryGetInt64(out long value)
    {
        switch (Kind)
        {
            case InferParameterKind.Int64:
                value = _int;
                return true;
            case InferParameterKind.UInt64 when _int >= 0:
                value = _int;
                return true;
            case InferParameterKind.Double when _double == Math.Floor(_double) && Math.Abs(_double) < 9e15:
                value = (long)_double;
                return true;
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>Reads the value as a bool when it is one.</summary>
    public bool TryGetBool(out bool value)
    {
        value = Kind == InferParameterKind.Bool && _int != 0;
        return Kind == InferParameterKind.Bool;
    }

    public override string ToString() => Kind switch
    {
        InferParameterKind.Bool => BoolValue ? "true" : "false",
        InferParameterKind.Int64 => _int.ToString(CultureInfo.InvariantCulture),
        InferParameterKind.UInt64 => UInt64Value.ToString(CultureInfo.InvariantCulture),
        InferParameterKind.Double => _double.ToString("R", CultureInfo.InvariantCulture),
        _ => StringValue,
    };
}
