using System.Globalization;

namespace Turbine.Features.Expressions;

/// <summary>
/// A small arithmetic expression language for on-demand features, compiled once to a tree and evaluated on
/// doubles (null is NaN): numbers, variables (<c>amount</c>, <c>user_stats.spend_7d</c>), <c>+ - * / %</c>,
/// comparisons and <c>&amp;&amp; || !</c> (1 or 0), <c>c ? a : b</c>, and the functions <c>abs log log1p exp sqrt
/// floor ceil round min max pow clamp coalesce is_null</c>. No allocation per evaluation; no reflection, no I/O.
/// </summary>
internal sealed class ExpressionParser
{
    /// <summary>Longest expression accepted, and deepest nesting (the parser recurses).</summary>
    public const int MaxLength = 4096;
    public const int MaxDepth = 64;

    private readonly string _text;
    private readonly Func<string, int> _resolve;
    private int _pos;
    private int _depth;

    private ExpressionParser(string text, Func<string, int> resolve)
    {
        _text = text;
        _resolve = resolve;
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="resolve"/> maps a variable name to its slot (throws when unknown).</summary>
    public static ExprNode Parse(string text, Func<string, int> resolve)
    {
        if (text.Length > MaxLength)
        {
            throw new FormatException($"expression longer than {MaxLength} characters");
        }

        var p = new ExpressionParser(text, resolve);
        var node = p.Ternary();
        p.SkipSpace();
        return p._pos == text.Length ? node : throw p.Error("unexpected text");
    }

    private FormatException Error(string what) => new($"{what} at position {_pos + 1} of '{_text}'");

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private bool Take(string token)
    {
        SkipSpace();
        if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) == 0)
        {
            _pos += token.Length;
            return true;
        }

        return false;
    }

    private ExprNode Ternary()
    {
        if (++_depth > MaxDepth)
        {
            throw Error($"nesting deeper than {MaxDepth}");
        }

        var cond = Or();
        if (Take("?"))
        {
            var a = Ternary();
            if (!Take(":"))
            {
                throw Error("expected ':'");
            }

            var b = Ternary();
            cond = new ConditionalNode(cond, a, b);
        }

        _depth--;
        return cond;
    }

    private ExprNode Or()
    {
        var left = And();
        while (Take("||"))
        {
            left = new BinaryNode('|', left, And());
        }

        return left;
    }

    private ExprNode And()
    {
        var left = Compare();
        while (Take("&&"))
        {
            left = new BinaryNode('&', left, Compare());
        }

        return left;
    }

    private ExprNode Compare()
    {
        var left = Add();
        foreach (var (token, op) in new[] { ("<=", 'l'), (">=", 'g'), ("==", 'e'), ("!=", 'n'), ("<", '<'), (">", '>') })
        {
            if (Take(token))
            {
                return new BinaryNode(op, left, Add());
            }
        }

        return left;
    }

    private ExprNode Add()
    {
        var left = Mul();
        while (true)
        {
            if (Take("+"))
            {
                left = new BinaryNode('+', left, Mul());
            }
            else if (Take("-"))
            {
                left = new BinaryNode('-', left, Mul());
            }
            else
            {
                return left;
            }
        }
    }

    private ExprNode Mul()
    {
        var left = Unary();
        while (true)
        {
            if (Take("*"))
            {
                left = new BinaryNode('*', left, Unary());
            }
            else if (Take("/"))
            {
                left = new BinaryNode('/', left, Unary());
            }
            else if (Take("%"))
            {
                left = new BinaryNode('%', left, Unary());
            }
            else
            {
                return left;
            }
        }
    }

    private ExprNode Unary()
    {
        if (Take("-"))
        {
            return new BinaryNode('-', new ConstantNode(0), Unary());
        }

        if (Take("!"))
        {
            return new BinaryNode('e', new ConstantNode(0), Unary());
        }

        return Primary();
    }

    private ExprNode Primary()
    {
        SkipSpace();
        if (Take("("))
        {
            var inner = Ternary();
            return Take(")") ? inner : throw Error("expected ')'");
        }

        var start = _pos;
        if (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '.'))
        {
            while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] is '.' or 'e' or 'E' || (_text[_pos] is '+' or '-' && _text[_pos - 1] is 'e' or 'E')))
            {
                _pos++;
            }

            return double.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                ? new ConstantNode(n)
                : throw Error("bad number");
        }

        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '.'))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw Error(_pos == _text.Length ? "unexpected end" : $"unexpected '{_text[_pos]}'");
        }

        var name = _text[start.._pos];
        if (Take("("))
        {
            var args = new List<ExprNode>();
            if (!Take(")"))
            {
                do
                {
                    args.Add(Ternary());
                }
                while (Take(","));
                if (!Take(")"))
                {
                    throw Error("expected ')'");
                }
            }

            return FunctionNode.Create(name, args) ?? throw Error($"unknown function '{name}' or wrong number of arguments ({args.Count})");
        }

        return name switch
        {
            "true" => new ConstantNode(1),
            "false" => new ConstantNode(0),
            "null" => new ConstantNode(double.NaN),
            _ => new VariableNode(_resolve(name)),
        };
    }
}
