using System.Collections.Frozen;

namespace Turbine.Core.Config;

/// <summary>The fields of one config message: supported fields, fields Turbine knows but rejects as
/// unsupported, and oneof groups (at most one member may be given).</summary>
internal sealed class MessageSchema
{
    private readonly FrozenDictionary<string, FieldSpec> _fields;

    public MessageSchema(string typeName, FieldSpec[] fields, string[]? unsupported = null, string[][]? oneofs = null)
    {
        TypeName = typeName;
        Fields = fields;
        _fields = fields.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);
        Unsupported = (unsupported ?? []).ToFrozenSet(StringComparer.Ordinal);
        OneOfs = oneofs ?? [];
    }

    public string TypeName { get; }

    public IReadOnlyList<FieldSpec> Fields { get; }

    public FrozenSet<string> Unsupported { get; }

    public string[][] OneOfs { get; }

    public FieldSpec? Find(string name) => _fields.GetValueOrDefault(name);

    /// <summary>The synthetic message of one map entry (<c>key</c>, <c>value</c>).</summary>
    public static MessageSchema MapEntry(MessageSchema owner, FieldSpec map) =>
        new($"{owner.TypeName}.{map.Name} entry", [new FieldSpec("key", map.MapKey), map.MapValue!]);
}
