using System.Collections.Immutable;
using System.Text;

namespace Turbine.Core.Config;

/// <summary>
/// Parses protobuf text format into the generic tree (<see cref="PbMessage"/>). Grammar:
/// <code>
/// message := (field (',' | ';')?)*
/// field   := IDENT ':' value | IDENT ':'? ('{' message '}' | '&lt;' message '&gt;' | '[' list ']')
/// value   := scalar | '{' message '}' | '&lt;' message '&gt;' | '[' list ']'
/// list    := (value (',' value)*)?
/// scalar  := '-'? (INTEGER | FLOAT | IDENT) | STRING+   (adjacent strings concatenate)
/// </code>
/// Field names and types are not checked here; that is the binder's job.
/// </summary>
internal sealed class TextFormatParser
{
    private readonly TextFormatLexer _lexer;
    private readonly string _sourcePath;
    private TextFormatToken _token;

    private TextFormatParser(string text, string sourcePath)
    {
        _lexer = new TextFormatLexer(text, sourcePath);
        _sourcePath = sourcePath;
        _token = _lexer.Next();
    }

    public static PbMessage Parse(string text, string sourcePath)
    {
        var parser = new TextFormatParser(text, sourcePath);
        return parser.ParseMessageBody(closer: null, opener: default, 1, 1);
    }

    private PbMessage ParseMessageBody(char? closer, TextFormatToken opener, int line, int col)
    {
        var fields = ImmutableArray.CreateBuilder<PbField>();
        while (true)
        {
            if (_token.Kind == TextFormatTokenKind.EndOfInput)
            {
                if (closer is { } expected)
                {
                    throw Error(_token, $"expected '{expected}' to close '{opener.Text}' opened at line {opener.Line}, column {opener.Column}, got end of input");
                }

                break;
            }

            if (closer is { } c && _token.IsSymbol(c))
            {
                Advance();
                break;
            }

            if (_token.Kind != TextFormatTokenKind.Identifier)
            {
                var what = closer is null ? "a field name" : $"a field name or '{closer}'";
                throw Error(_token, $"expected {what}, got {_token.Describe()}");
            }

            fields.Add(ParseField());
            if (_token.IsSymbol(',') || _token.IsSymbol(';'))
            {
                Advance();
            }
        }

        return new PbMessage(fields.ToImmutable(), FromJson: false, line, col);
    }

    private PbField ParseField()
    {
        var name = _token;
        Advance();
        var hasColon = false;
        if (_token.IsSymbol(':'))
        {
            hasColon = true;
            Advance();
        }

        if (!hasColon && !(_token.IsSymbol('{') || _token.IsSymbol('<') || _token.IsSymbol('[')))
        {
            throw Error(_token, $"expected ':' or '{{' after field name '{name.Text}', got {_token.Describe()}");
        }

        var value = ParseValue(name.Text);
        return new PbField(name.Text, value, name.Line, name.Column);
    }

    private PbValue ParseValue(string fieldName)
    {
        var start = _token;
        if (start.IsSymbol('{') || start.IsSymbol('<'))
        {
            Advance();
            return ParseMessageBody(start.IsSymbol('{') ? '}' : '>', start, start.Line, start.Column);
        }

        if (start.IsSymbol('['))
        {
            Advance();
            var items = ImmutableArray.CreateBuilder<PbValue>();
            if (_token.IsSymbol(']'))
            {
                Advance();
                return new PbList(items.ToImmutable(), start.Line, start.Column);
            }

            while (true)
            {
                if (_token.IsSymbol('['))
                {
                    throw Error(_token, $"nested lists are not allowed in field '{fieldName}'");
                }

                items.Add(ParseValue(fieldName));
                if (_token.IsSymbol(','))
                {
                    Advance();
                    continue;
                }

                if (_token.IsSymbol(']'))
                {
                    Advance();
                    return new PbList(items.ToImmutable(), start.Line, start.Column);
                }

                if (_token.Kind == TextFormatTokenKind.EndOfInput)
                {
                    throw Error(_token, $"expected ']' to close the list of field '{fieldName}' opened at line {start.Line}, column {start.Column}, got end of input");
                }

                throw Error(_token, $"expected ',' or ']' in the list of field '{fieldName}', got {_token.Describe()}");
            }
        }

        return ParseScalar(fieldName);
    }

    private PbScalar ParseScalar(string fieldName)
    {
        var start = _token;
        var negative = false;
        if (start.IsSymbol('-'))
        {
            negative = true;
            Advance();
            if (_token.Kind is not (TextFormatTokenKind.Integer or TextFormatTokenKind.Float or TextFormatTokenKind.Identifier))
            {
                throw Error(_token, $"expected a number after '-' in field '{fieldName}', got {_token.Describe()}");
            }
        }

        var token = _token;
        switch (token.Kind)
        {
            case TextFormatTokenKind.Integer:
            case TextFormatTokenKind.Float:
            case TextFormatTokenKind.Identifier:
                Advance();
                var kind = token.Kind switch
                {
                    TextFormatTokenKind.Integer => PbScalarKind.Integer,
                    TextFormatTokenKind.Float => PbScalarKind.Float,
                    _ => PbScalarKind.Identifier,
                };
                return new PbScalar(kind, token.Text, negative, FromJson: false, start.Line, start.Column);
            case TextFormatTokenKind.String:
                var sb = new StringBuilder(token.Text);
                Advance();
                while (_token.Kind == TextFormatTokenKind.String)
                {
                    sb.Append(_token.Text);
                    Advance();
                }

                return new PbScalar(PbScalarKind.String, sb.ToString(), false, FromJson: false, start.Line, start.Column);
            default:
                throw Error(token, $"expected a value for field '{fieldName}', got {token.Describe()}");
        }
    }

    private void Advance() => _token = _lexer.Next();

    private ModelConfigException Error(TextFormatToken at, string what) => new(_sourcePath, at.Line, at.Column, what);
}
