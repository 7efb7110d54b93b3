using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using Turbine.Core.Tensors;

namespace Turbine.Core.Graphs;

/// <summary>
/// A routing-graph condition, parsed once at load: <c>true</c>; <c>params.NAME OP LITERAL</c> on a request
/// parameter; or <c>TENSOR.argmax|.max|.min|[i] OP NUMBER</c> on a tensor of the payload the step receives
/// (a classifier's top class: <c>probabilities.argmax == 0</c>). A tensor condition holds when it holds for
/// every batch row (the last dimension is the row). OP is one of <c>== != &lt; &lt;= &gt; &gt;=</c>.
/// </summary>
internal sealed partial class GraphCondition
{
    private readonly string _text;
    private readonly string? _parameter;
    private readonly string? _tensor;
    private readonly string _reduce = "";
    private readonly int _index;
    private readonly string _op = "";
    private readonly string _literal = "";
    private readonly double? _number;

    private GraphCondition(string text, string? parameter, string? tensor, string reduce, int index, string op, string literal)
    {
        _text = text;
        _parameter = parameter;
        _tensor = tensor;
        _reduce = reduce;
        _index = index;
        _op = op;
        _literal = literal;
        _number = double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    /// <summary>The condition as written.</summary>
    public override string ToString() => _text;

    /// <summary>Parses a condition; null with <paramref name="error"/> set when it is not one of the supported forms.</summary>
    public static GraphCondition? TryParse(string text, out string error)
    {
        error = "";
        var trimmed = text.Trim();
        if (trimmed == "true")
        {
            return new GraphCondition(trimmed, null, null, "true", 0, "", "");
        }

        var match = Syntax().Match(trimmed);
        if (!match.Success)
        {
            error = $"condition '{text}' is not supported; expected 'true', 'params.NAME OP VALUE' or 'TENSOR.argmax|.max|.min|[INDEX] OP NUMBER' with OP one of == != < <= > >=";
            return null;
        }

        var subject = match.Groups["subject"].Value;
        var op = match.Groups["op"].Value;
        var literal = match.Groups["literal"].Value;
        if (literal.Length >= 2 && literal[0] == '"' && literal[^1] == '"')
        {
            literal = literal[1..^1];
        }

        if (subject.StartsWith("params.", StringComparison.Ordinal))
        {
            return new GraphCondition(trimmed, subject["params.".Length..], null, "", 0, op, literal);
        }

        if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            error = $"condition '{text}': a tensor is compared with a number, got '{literal}'";
            return null;
        }

        var index = match.Groups["index"];
        if (index.Success)
        {
            return new GraphCondition(trimmed, null, subject[..subject.LastIndexOf('[')], "index", int.Parse(index.Value, CultureInfo.InvariantCulture), op, literal);
        }

        var dot = subject.LastIndexOf('.');
        return new GraphCondition(trimmed, null, subject[..dot], subject[(dot + 1)..], 0, op, literal);
    }

    /// <summary>Evaluates the condition; an error when the tensor it reads is missing or not numeric.</summary>
    public Result<bool> Evaluate(IReadOnlyDictionary<string, InferenceTensor> payload, Dictionary<string, InferParameter>? parameters)
    {
        if (_reduce == "true")
        {
            return Result<bool>.Ok(true);
        }

        if (_parameter is not null)
        {
            if (parameters is null || !parameters.TryGetValue(_parameter, out var p))
            {
                return Result<bool>.Ok(_op == "!=");
            }

            return Result<bool>.Ok(CompareParameter(p));
        }

        if (!payload.TryGetValue(_tensor!, out var tensor))
        {
            return InferenceError.InvalidArgument($"condition '{_text}': there is no tensor '{_tensor}' (the step's payload has: {string.Join(", ", payload.Keys)})");
        }

        var values = TensorValues(tensor);
        if (values is null)
        {
            return InferenceError.InvalidArgument($"condition '{_text}': tensor '{_tensor}' is {tensor.DataType.ToWireName()}, not a number type");
        }

        var width = tensor.Shape.Length > 0 ? (int)Math.Max(1, tensor.Shape[^1]) : 1;
        if (values.Length == 0 || values.Length % width != 0)
        {
            return InferenceError.InvalidArgument($"condition '{_text}': tensor '{_tensor}' is empty");
        }

        for (var row = 0; row < values.Length / width; row++)
        {
            var slice = values.AsSpan(row * width, width);
            double subject;
            switch (_reduce)
            {
                case "argmax":
                    subject = ArgMax(slice);
                    break;
                case "max":
                    subject = Max(slice);
                    break;
                case "min":
                    subject = -Max(Negate(slice));
                    break;
                default:
                    if (_index >= width)
                    {
                        return InferenceError.InvalidArgument($"condition '{_text}': index {_index} is outside tensor '{_tensor}' rows of {width}");
                    }

                    subject = slice[_index];
                    break;
            }

            if (!Compare(subject, _number!.Value))
            {
                return Result<bool>.Ok(false);
            }
        }

        return Result<bool>.Ok(true);
    }

    /// <summary>Index of the largest value (the first on ties).</summary>
    public static int ArgMax(ReadOnlySpan<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>The tensor's elements as doubles, or null for a non-numeric type.</summary>
    public static double[]? TensorValues(InferenceTensor tensor)
    {
        if (tensor.DataType is TensorDataType.Bytes or TensorDataType.BF16 or TensorDataType.Invalid)
        {
            return null;
        }

        var span = tensor.Data.Span;
        var size = tensor.DataType.ElementSize();
        var values = new double[span.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            var e = span.Slice(i * size, size);
            values[i] = tensor.DataType switch
            {
                TensorDataType.FP32 => BinaryPrimitives.ReadSingleLittleEndian(e),
                TensorDataType.FP64 => BinaryPrimitives.ReadDoubleLittleEndian(e),
                TensorDataType.FP16 => (double)BinaryPrimitives.ReadHalfLittleEndian(e),
                TensorDataType.Int8 => (sbyte)e[0],
                TensorDataType.UInt8 or TensorDataType.Bool => e[0],
                TensorDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(e),
                TensorDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(e),
                TensorDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(e),
                TensorDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(e),
                TensorDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(e),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(e),
            };
        }

        return values;
    }

    private static double Max(ReadOnlySpan<double> values) => values[ArgMax(values)];

    private static double[] Negate(ReadOnlySpan<double> values)
    {
        var result = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = -values[i];
        }

        return result;
    }

    private bool Compare(double actual, double expected) => _op switch
    {
        "==" => actual == expected,
        "!=" => actual != expected,
        "<" => actual < expected,
        "<=" => actual <= expected,
        ">" => actual > expected,
        _ => actual >= expected,
    };

    /// <summary>Numbers compare as numbers; anything else compares as text, with <c>==</c> and <c>!=</c> only.</summary>
    private bool CompareParameter(InferParameter p)
    {
        double? number = p.Kind switch
        {
            InferParameterKind.Int64 => p.Int64Value,
            InferParameterKind.UInt64 => p.UInt64Value,
            InferParameterKind.Double => p.DoubleValue,
            InferParameterKind.String when double.TryParse(p.StringValue, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
        if (number is { } actual && _number is { } expected)
        {
            return Compare(actual, expected);
        }

        var text = p.Kind switch
        {
            InferParameterKind.Bool => p.BoolValue ? "true" : "false",
            InferParameterKind.String => p.StringValue,
            _ => p.ToString(),
        };
        return _op switch
        {
            "==" => text == _literal,
            "!=" => text != _literal,
            _ => false,
        };
    }

    [GeneratedRegex(@"^(?<subject>params\.[A-Za-z0-9_\-]+|[A-Za-z0-9_\-./]+(\.(argmax|max|min)|\[(?<index>[0-9]{1,9})\]))\s*(?<op>==|!=|<=|>=|<|>)\s*(?<literal>""[^""]*""|[^\s""]+)$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex Syntax();
}
