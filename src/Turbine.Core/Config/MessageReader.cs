using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>
/// Checks one <see cref="PbMessage"/> against its <see cref="MessageSchema"/> (unknown and unsupported fields,
/// fields given twice, lists for non-repeated fields, messages vs scalars, oneofs) and then hands out typed
/// values. Scalar conversions live in <c>MessageReader.Scalars.cs</c>. The same reader serves the text format
/// and JSON; JSON objects may use lowerCamelCase names and write maps as objects.
/// </summary>
internal sealed partial class MessageReader
{
    private readonly Dictionary<string, List<PbValue>> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PbField> _first = new(StringComparer.Ordinal);
    private readonly string _sourcePath;

    public MessageReader(PbMessage message, MessageSchema schema, string sourcePath)
    {
        Schema = schema;
        _sourcePath = sourcePath;
        foreach (var field in message.Fields)
        {
            var spec = Resolve(field, message.FromJson);
            if (_first.TryGetValue(spec.Name, out var first))
            {
                if (!spec.Repeated)
                {
                    throw Error(field, $"field '{spec.Name}' given twice in {schema.TypeName} (first at line {first.Line}, column {first.Column})");
                }
            }
            else
            {
                CheckOneOf(spec, field);
                _first[spec.Name] = field;
                _values[spec.Name] = [];
            }

            AddValues(spec, field, message.FromJson);
        }
    }

    public MessageSchema Schema { get; }

    public bool Has(string name) => _values.ContainsKey(Spec(name).Name);

    public T? Message<T>(string name, Func<MessageReader, T> bind)
        where T : class
    {
        var spec = Spec(name);
        return _values.TryGetValue(name, out var values)
            ? bind(new MessageReader((PbMessage)values[^1], spec.Message!, _sourcePath))
            : null;
    }

    public ImmutableArray<T> Messages<T>(string name, Func<MessageReader, T> bind)
    {
        var spec = Spec(name);
        if (!_values.TryGetValue(name, out var values))
        {
            return [];
        }

        var builder = ImmutableArray.CreateBuilder<T>(values.Count);
        foreach (var value in values)
        {
            builder.Add(bind(new MessageReader((PbMessage)value, spec.Message!, _sourcePath)));
        }

        return builder.MoveToImmutable();
    }

    /// <summary>Reads a map field; <paramref name="key"/> and <paramref name="value"/> read the entry's
    /// <c>key</c> and <c>value</c> fields. A key given twice is an error.</summary>
    public ImmutableDictionary<TKey, TValue> Map<TKey, TValue>(
        string name, Func<MessageReader, TKey> key, Func<MessageReader, TValue> value)
        where TKey : notnull
    {
        var spec = Spec(name);
        if (!_values.TryGetValue(name, out var values))
        {
            return ImmutableDictionary<TKey, TValue>.Empty;
        }

        var entrySchema = MessageSchema.MapEntry(Schema, spec);
        var builder = ImmutableDictionary.CreateBuilder<TKey, TValue>();
        foreach (PbMessage entry in values)
        {
            var reader = new MessageReader(entry, entrySchema, _sourcePath);
            var k = key(reader);
            if (builder.ContainsKey(k))
            {
                var at = reader._first.GetValueOrDefault("key");
                throw new ModelConfigException(
                    _sourcePath, at?.Line ?? entry.Line, at?.Column ?? entry.Column,
                    $"key '{k}' given twice in map field '{name}' of {Schema.TypeName}");
            }

            builder[k] = value(reader);
        }

        return builder.ToImmutable();
    }

    private FieldSpec Resolve(PbField field, bool fromJson)
    {
        var name = field.Name;
        var spec = Schema.Find(name);
        if (spec is null && fromJson)
        {
            name = ConfigText.CamelToSnake(field.Name);
            spec = Schema.Find(name);
        }

        if (spec is not null)
        {
            return spec;
        }

        var what = Schema.Unsupported.Contains(name) ? "unsupported" : "unknown";
        throw Error(field, $"{what} field '{field.Name}' in {Schema.TypeName}");
    }

    private void CheckOneOf(FieldSpec spec, PbField field)
    {
        foreach (var group in Schema.OneOfs)
        {
            if (!group.Contains(spec.Name))
            {
                continue;
            }

            foreach (var other in group)
            {
                if (other != spec.Name && _first.ContainsKey(other))
                {
                    throw Error(field, $"fields '{other}' and '{spec.Name}' in {Schema.TypeName} are alternatives (oneof {string.Join("/", group)}); give only one");
                }
            }
        }
    }

    private void AddValues(FieldSpec spec, PbField field, bool fromJson)
    {
        var list = _values[spec.Name];
        if (spec.Type == FieldType.Map && fromJson && field.Value is PbMessage { FromJson: true } obj)
        {
            foreach (var entry in obj.Fields)
            {
                var key = new PbScalar(PbScalarKind.String, entry.Name, false, FromJson: true, entry.Line, entry.Column);
                list.Add(new PbMessage(
                    [new PbField("key", key, entry.Line, entry.Column), new PbField("value", entry.Value, entry.Line, entry.Column)],
                    FromJson: true, entry.Line, entry.Column));
            }

            return;
        }

        if (field.Value is PbList items)
        {
            if (!spec.Repeated)
            {
                throw Error(field, $"field '{spec.Name}' in {Schema.TypeName} is not repeated and cannot take a list");
            }

            foreach (var item in items.Items)
            {
                list.Add(CheckShape(spec, item));
            }

            return;
        }

        list.Add(CheckShape(spec, field.Value));
    }

    private PbValue CheckShape(FieldSpec spec, PbValue value)
    {
        var got = value switch
        {
            PbScalar s => s.Describe(),
            PbList => "a list",
            _ => "a message",
        };
        var ok = spec.IsMessageLike ? value is PbMessage : value is PbScalar;
        return ok ? value : throw TypeError(spec, value, got);
    }

    private FieldSpec Spec(string name) =>
        Schema.Find(name) ?? throw new InvalidOperationException($"{Schema.TypeName} has no field '{name}' in its schema");

    private ModelConfigException TypeError(FieldSpec spec, PbValue at, string got) =>
        new(_sourcePath, at.Line, at.Column, $"field '{spec.Name}' in {Schema.TypeName} expects {spec.Expected}, got {got}");

    private ModelConfigException Error(PbField at, string what) => new(_sourcePath, at.Line, at.Column, what);

    private ModelConfigException Error(PbValue at, string what) => new(_sourcePath, at.Line, at.Column, what);
}
