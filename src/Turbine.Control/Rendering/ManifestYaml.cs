using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Turbine.Control.Rendering;

/// <summary>
/// Rendered objects as YAML for kubectl: one document per object. A string that YAML would read as another type
/// (<c>"8002"</c>, <c>"true"</c>, <c>""</c>) is double-quoted, a multi-line string is a literal block, the rest is plain.
/// </summary>
public static partial class ManifestYaml
{
    /// <summary>The objects as a multi-document YAML stream, after the notes as <c>#</c> comment lines.</summary>
    /// <param name="objects">The objects in order.</param>
    /// <param name="notes">Lines written first as comments (what could not be mapped).</param>
    public static string Write(IEnumerable<JsonObject> objects, IEnumerable<string> notes)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(notes);
        using var writer = new StringWriter();
        foreach (var note in notes)
        {
            writer.Write("# note: ");
            writer.WriteLine(note.Replace('\n', ' '));
        }

        foreach (var obj in objects)
        {
            writer.Write(Document(obj));
        }

        return writer.ToString();
    }

    /// <summary>One object as one YAML document (starting <c>---</c>).</summary>
    /// <param name="obj">The object.</param>
    public static string Document(JsonNode obj)
    {
        using var writer = new StringWriter();
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: false));
        Emit(emitter, obj);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        var text = writer.ToString();
        return text.EndsWith('\n') ? text : text + "\n";
    }

    /// <summary>A YAML node as a document without the <c>---</c> line (for config files inside ConfigMaps).</summary>
    /// <param name="node">The node.</param>
    public static string Write(YamlNode node)
    {
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, SequenceStyle.Block));
                foreach (var item in array)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                EmitString(emitter, value.GetValue<string>());
                break;
            case JsonValue value:
                emitter.Emit(new Scalar(null, null, value.ToJsonString(), ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
        }
    }

    private static void EmitString(IEmitter emitter, string text)
    {
        var style = text.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal
            : text.Length == 0 || OtherType().IsMatch(text) ? ScalarStyle.DoubleQuoted
            : ScalarStyle.Any;
        emitter.Emit(new Scalar(null, null, text, style, isPlainImplicit: true, isQuotedImplicit: true));
    }

    /// <summary>Plain scalars YAML 1.1 or 1.2 resolves to a number, a boolean or null.</summary>
    [GeneratedRegex(@"^([-+]?(\.?[0-9][0-9_.eE+-]*|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.Inf|\.INF)|\.nan|\.NaN|\.NAN|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$")]
    private static partial Regex OtherType();
}
