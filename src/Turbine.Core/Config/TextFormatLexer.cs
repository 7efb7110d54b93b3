using System.Globalization;
using System.Text;

namespace Turbine.Core.Config;

/// <summary>Tokenizer for the protobuf text format: <c>#</c> comments, identifiers, numbers (decimal, hex,
/// octal, floats with exponent and <c>f</c> suffix), quoted strings with C escapes, and the symbols
/// <c>{ } [ ] &lt; &gt; : , ; -</c>.</summary>
internal sealed class TextFormatLexer(string text, string sourcePath)
{
    private int _pos;
    private int _line = 1;
    private int _col = 1;

    public TextFormatToken Next()
    {
        SkipTrivia();
        var line = _line;
        var col = _col;
        if (_pos >= text.Length)
        {
            return new TextFormatToken(TextFormatTokenKind.EndOfInput, "", line, col);
        }

        var c = text[_pos];
        if (char.IsAsciiLetter(c) || c == '_')
        {
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_'))
            {
                Advance();
            }

            return new TextFormatToken(TextFormatTokenKind.Identifier, text[start.._pos], line, col);
        }

        if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < text.Length && char.IsAsciiDigit(text[_pos + 1])))
        {
            return LexNumber(line, col);
        }

        if (c is '"' or '\'')
        {
            return LexString(line, col);
        }

        if ("{}[]<>:,;-".Contains(c, StringComparison.Ordinal))
        {
            Advance();
            return new TextFormatToken(TextFormatTokenKind.Symbol, c.ToString(), line, col);
        }

        throw Error(line, col, $"unexpected character {Printable(c)}");
    }

    private TextFormatToken LexNumber(int line, int col)
    {
        var start = _pos;
        var isFloat = false;
        if (text[_pos] == '0' && _pos + 1 < text.Length && (text[_pos + 1] is 'x' or 'X'))
        {
            Advance();
            Advance();
            while (_pos < text.Length && char.IsAsciiHexDigit(text[_pos]))
            {
                Advance();
            }

            if (_pos - start == 2)
            {
                throw Error(line, col, "hexadecimal number has no digits");
            }
        }
        else
        {
            SkipDigits();
            if (_pos < text.Length && text[_pos] == '.')
            {
                isFloat = true;
                Advance();
                SkipDigits();
            }

            if (_pos < text.Length && text[_pos] is 'e' or 'E')
            {
                isFloat = true;
                Advance();
                if (_pos < text.Length && text[_pos] is '+' or '-')
                {
                    Advance();
                }

                if (_pos >= text.Length || !char.IsAsciiDigit(text[_pos]))
                {
                    throw Error(line, col, $"number '{text[start.._pos]}' has no exponent digits");
                }

                SkipDigits();
            }

            if (_pos < text.Length && text[_pos] is 'f' or 'F')
            {
                isFloat = true;
                Advance();
            }
        }

        if (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] is '_' or '.'))
        {
            throw Error(line, col, $"invalid number '{text[start..(_pos + 1)]}'");
        }

        var kind = isFloat ? TextFormatTokenKind.Float : TextFormatTokenKind.Integer;
        return new TextFormatToken(kind, text[start.._pos], line, col);
    }

    private TextFormatToken LexString(int line, int col)
    {
        var quote = text[_pos];
        Advance();
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= text.Length || text[_pos] == '\n')
            {
                throw Error(line, col, "unterminated string literal");
            }

            var c = text[_pos];
            if (c == quote)
            {
                Advance();
                return new TextFormatToken(TextFormatTokenKind.String, sb.ToString(), line, col);
            }

            if (c != '\\')
            {
                sb.Append(c);
                Advance();
                continue;
            }

            var escLine = _line;
            var escCol = _col;
            Advance();
            if (_pos >= text.Length)
            {
                throw Error(line, col, "unterminated string literal");
            }

            var e = text[_pos];
            Advance();
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case '?': sb.Append('?'); break;
                case >= '0' and <= '7':
                    {
                        var value = e - '0';
                        for (var i = 0; i < 2 && _pos < text.Length && text[_pos] is >= '0' and <= '7'; i++)
                        {
                            value = (value * 8) + (text[_pos] - '0');
                            Advance();
                        }

                        sb.Append((char)value);
                        break;
                    }

                case 'x':
                    sb.Append((char)ReadHex(escLine, escCol, 1, 2, "\\x"));
                    break;
                case 'u':
                    sb.Append((char)ReadHex(escLine, escCol, 4, 4, "\\u"));
                    break;
                default:
                    throw Error(escLine, escCol, $"invalid escape sequence '\\{e}' in string literal");
            }
        }
    }

    private int ReadHex(int line, int col, int min, int max, string escape)
    {
        var start = _pos;
        while (_pos < text.Length && _pos - start < max && char.IsAsciiHexDigit(text[_pos]))
        {
            Advance();
        }

        if (_pos - start < min)
        {
            throw Error(line, col, $"escape '{escape}' needs {(min == max ? $"{min}" : $"{min} to {max}")} hex digits");
        }

        return int.Parse(text.AsSpan(start, _pos - start), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private void SkipDigits()
    {
        while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
        {
            Advance();
        }
    }

    private void SkipTrivia()
    {
        while (_pos < text.Length)
        {
            var c = text[_pos];
            if (c == '#')
            {
                while (_pos < text.Length && text[_pos] != '\n')
                {
                    Advance();
                }
            }
            else if (char.IsWhiteSpace(c))
            {
                Advance();
            }
            else
            {
                return;
            }
        }
    }

    private void Advance()
    {
        if (text[_pos] == '\n')
        {
            _line++;
            _col = 1;
        }
        else
        {
            _col++;
        }

        _pos++;
    }

    private static string Printable(char c) =>
        c < ' ' || c > '~' ? $"U+{(int)c:X4}" : $"'{c}'";

    private ModelConfigException Error(int line, int col, string what) => new(sourcePath, line, col, what);
}
