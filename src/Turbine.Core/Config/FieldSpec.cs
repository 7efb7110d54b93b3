namespace Turbine.Core.Config;

internal enum FieldType
{
    String,
    Bool,
    Int32,
    Int64,
    UInt64,
    Float,
    Enum,
    Message,
    Map,
}

/// <summary>One field of a <see cref="MessageSchema"/>. For maps, <see cref="MapKey"/> and <see cref="MapValue"/>
/// describe the entry (text format: repeated <c>{ key: … value: … }</c>; JSON: an object).</summary>
internal sealed record FieldSpec(string Name, FieldType Type, bool Repeated = false)
{
    public ConfigEnum? Enum { get; init; }

    public MessageSchema? Message { get; init; }

    public FieldType MapKey { get; init; } = FieldType.String;

    public FieldSpec? MapValue { get; init; }

    public bool IsMessageLike => Type is FieldType.Message or FieldType.Map;

    public string Expected => Type switch
    {
        FieldType.String => "a string",
        FieldType.Bool => "a boolean (true or false)",
        FieldType.Int32 or FieldType.Int64 => "an integer",
        FieldType.UInt64 => "a non-negative integer",
        FieldType.Float => "a number",
        FieldType.Enum => Enum!.Expected,
        FieldType.Message => $"a {Message!.TypeName} message",
        _ => "a map",
    };

    public static FieldSpec Str(string name) => new(name, FieldType.String);

    public static FieldSpec Bool(string name, bool repeated = false) => new(name, FieldType.Bool, repeated);

    public static FieldSpec I32(string name, bool repeated = false) => new(name, FieldType.Int32, repeated);

    public static FieldSpec I64(string name, bool repeated = false) => new(name, FieldType.Int64, repeated);

    public static FieldSpec U64(string name) => new(name, FieldType.UInt64);

    public static FieldSpec F32(string name, bool repeated = false) => new(name, FieldType.Float, repeated);

    public static FieldSpec En(string name, ConfigEnum e) => new(name, FieldType.Enum) { Enum = e };

    public static FieldSpec Msg(string name, MessageSchema schema, bool repeated = false) =>
        new(name, FieldType.Message, repeated) { Message = schema };

    public static FieldSpec MapOf(string name, FieldType key, FieldSpec value) =>
        new(name, FieldType.Map, Repeated: true) { MapKey = key, MapValue = value with { Name = "value" } };
}
