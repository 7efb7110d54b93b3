using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Turbine.Core.Config;

/// <summary>Reads JSON into the generic parse tree with 1-based line/column positions (columns count
/// characters), so JSON configs are bound by the same schema as the text format.</summary>
internal ref struct JsonTreeReader
{
    private readonly byte[] _bytes;
    private readonly List<int> _lineStarts;
    private readonly string _sourcePath;
    private Utf8JsonReader _reader;

    private JsonTreeReader(byte[] bytes, string sourcePath)
    {
        _bytes = bytes;
        _sourcePath = sourcePath;
        _lineStarts = [0];
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                _lineStarts.Add(i + 1);
            }
        }

        _reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
    }

    public static PbMessage Parse(string json, string sourcePath)
    {
        var reader = new JsonTreeReader(Encoding.UTF8.GetBytes(json), sourcePath);
        try
        {
            return reader.ParseRoot();
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? -1) + 1;
            var col = (int)(ex.BytePositionInLine ?? -1) + 1;
            throw new ModelConfigException(sourcePath, line, col, $"invalid JSON: {FirstSentence(ex.Message)}");
        }
    }

    private PbMessage ParseRoot()
    {
        if (!_reader.Read())
        {
            throw new ModelConfigException(_sourcePath, 1, 1, "expected a JSON object, got end of input");
        }

        if (_reader.TokenType != JsonTokenType.StartObject)
        {
            var (line, col) = Position();
            throw new ModelConfigException(_sourcePath, line, col, $"expected a JSON object for ModelConfig, got {_reader.TokenType}");
        }

        var root = ParseObject();
        if (_reader.Read())
        {
            var (line, col) = Position();
            throw new ModelConfigException(_sourcePath, line, col, "unexpected content after the JSON object");
        }

        return root;
    }

    private PbMessage ParseObject()
    {
        var (line, col) = Position();
        var fields = ImmutableArray.CreateBuilder<PbField>();
        while (Read() != JsonTokenType.EndObject)
        {
            var (fLine, fCol) = Position();
            var name = _reader.GetString()!;
            Read();
            if (_reader.TokenType == JsonTokenType.Null)
            {
                continue; // protobuf JSON: null means "not set"
            }

            fields.Add(new PbField(name, ParseValue(name), fLine, fCol));
        }

        return new PbMessage(fields.ToImmutable(), FromJson: true, line, col);
    }

    private PbValue ParseValue(string fieldName)
    {
        var (line, col) = Position();
        switch (_reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return ParseObject();
            case JsonTokenType.StartArray:
                var items = ImmutableArray.CreateBuilder<PbValue>();
                while (Read() != JsonTokenType.EndArray)
                {
                    if (_reader.TokenType is JsonTokenType.StartArray or JsonTokenType.Null)
                    {
                        var (iLine, iCol) = Position();
                        throw new ModelConfigException(_sourcePath, iLine, iCol, $"field '{fieldName}': nested arrays and nulls are not allowed in a list");
                    }

                    items.Add(ParseValue(fieldName));
                }

                return new PbList(items.ToImmutable(), line, col);
            case JsonTokenType.String:
                return new PbScalar(PbScalarKind.String, _reader.GetString()!, false, FromJson: true, line, col);
            case JsonTokenType.Number:
                var text = Encoding.UTF8.GetString(_reader.ValueSpan);
                var negative = text.StartsWith('-');
                var magnitude = negative ? text[1..] : text;
                var kind = magnitude.AsSpan().IndexOfAny(".eE") >= 0 ? PbScalarKind.Float : PbScalarKind.Integer;
                return new PbScalar(kind, magnitude, negative, FromJson: true, line, col);
            case JsonTokenType.True:
            case JsonTokenType.False:
                var b = _reader.TokenType == JsonTokenType.True ? "true" : "false";
                return new PbScalar(PbScalarKind.Identifier, b, false, FromJson: true, line, col);
            default:
                throw new ModelConfigException(_sourcePath, line, col, $"field '{fieldName}': unexpected JSON {_reader.TokenType}");
        }
    }

    private JsonTokenType Read()
    {
        if (!_reader.Read())
        {
            var (line, col) = Position();
            throw new ModelConfigException(_sourcePath, line, col, "unexpected end of JSON input");
        }

        return _reader.TokenType;
    }

    private readonly (int Line, int Column) Position()
    {
        var index = (int)_reader.TokenStartIndex;
        var lineIndex = _lineStarts.BinarySearch(index);
        if (lineIndex < 0)
        {
            lineIndex = ~lineIndex - 1;
        }

        var start = _lineStarts[lineIndex];
        return (lineIndex + 1, Encoding.UTF8.GetCharCount(_bytes, start, index - start) + 1);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).Trim();
    }
}
