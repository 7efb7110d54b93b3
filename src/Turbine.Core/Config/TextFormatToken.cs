namespace Turbine.Core.Config;

internal enum TextFormatTokenKind
{
    EndOfInput,
    Identifier,
    Integer,
    Float,
    String,
    Symbol,
}

/// <summary>A token of the protobuf text format. For strings <see cref="Text"/> is the decoded value.</summary>
internal readonly record struct TextFormatToken(TextFormatTokenKind Kind, string Text, int Line, int Column)
{
    public bool IsSymbol(char c) => Kind == TextFormatTokenKind.Symbol && Text.Length == 1 && Text[0] == c;

    public string Describe() => Kind switch
    {
        TextFormatTokenKind.EndOfInput => "end of input",
        TextFormatTokenKind.Identifier => $"identifier {Text}",
        TextFormatTokenKind.Integer => $"integer {Text}",
        TextFormatTokenKind.Float => $"number {Text}",
        TextFormatTokenKind.String => $"string {ConfigText.Quote(Text)}",
        _ => $"'{Text}'",
    };
}
