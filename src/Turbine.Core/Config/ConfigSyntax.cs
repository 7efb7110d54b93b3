using System.Collections.Immutable;

namespace Turbine.Core.Config;

// The generic parse tree shared by the text-format and JSON readers. Binders (see MessageReader and
// ConfigBinder) check it against one schema (ConfigSchema), so both formats get the same rules and messages.

internal enum PbScalarKind
{
    Identifier,
    Integer,
    Float,
    String,
}

internal abstract record PbValue(int Line, int Column);

/// <summary>A scalar token. <see cref="Negative"/> is a leading '-' in the text format. JSON strings set
/// <see cref="FromJson"/> so numbers and enums may be written as strings.</summary>
internal sealed record PbScalar(PbScalarKind Kind, string Text, bool Negative, bool FromJson, int Line, int Column)
    : PbValue(Line, Column)
{
    public string Describe() => Kind switch
    {
        PbScalarKind.String => $"string {ConfigText.Quote(Text)}",
        PbScalarKind.Integer => $"integer {(Negative ? "-" : "")}{Text}",
        PbScalarKind.Float => $"number {(Negative ? "-" : "")}{Text}",
        _ => FromJson ? Text : $"identifier {(Negative ? "-" : "")}{Text}",
    };
}

/// <summary>A message: fields in document order. For JSON objects, map fields are read from the field names.</summary>
internal sealed record PbMessage(ImmutableArray<PbField> Fields, bool FromJson, int Line, int Column)
    : PbValue(Line, Column);

/// <summary>A list <c>[a, b]</c>; only valid for repeated and map fields.</summary>
internal sealed record PbList(ImmutableArray<PbValue> Items, int Line, int Column) : PbValue(Line, Column);

internal sealed record PbField(string Name, PbValue Value, int Line, int Column);
