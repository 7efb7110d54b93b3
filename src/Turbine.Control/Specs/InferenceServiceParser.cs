using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Turbine.Control.Specs;

/// <summary>
/// Reads a KServe <c>serving.kserve.io/v1beta1</c> <c>InferenceService</c>, as written for KServe, into a
/// <see cref="DeploymentSpec"/>. Works on YamlDotNet's representation model so that each error carries the line and
/// column of the node at fault (<c>origin:line:col: path: message</c>), and reports every error, not the first.
/// One YAML document per call: a file with several is refused (see docs/control-spec.md).
/// </summary>
public static partial class InferenceServiceParser
{
    public const string ApiVersion = "serving.kserve.io/v1beta1";
    public const string Kind = "InferenceService";

    /// <summary>Largest document accepted, in UTF-8 bytes (checked before parsing).</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    /// <summary>Deepest nesting of mappings and lists accepted.</summary>
    public const int MaxDepth = 64;

    /// <summary>Parses and validates one <c>InferenceService</c>.</summary>
    /// <param name="yaml">The YAML text.</param>
    /// <param name="origin">What to call the text in messages (a file name, <c>-</c>, a request).</param>
    public static InferenceServiceParseResult Parse(string yaml, string origin)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(origin);
        var reader = new SpecReader(origin);
        var bytes = Encoding.UTF8.GetByteCount(yaml);
        if (bytes > MaxDocumentBytes)
        {
            reader.Error(Mark.Empty, string.Empty, $"the document has {bytes} bytes; the limit is {MaxDocumentBytes} (1 MiB)");
            return Failed(reader);
        }

        if (!PreScan(yaml, reader))
        {
            return Failed(reader);
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            reader.Error(e.Start, string.Empty, e.Message);
            return Failed(reader);
        }

        var root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        if (root is null || SpecReader.IsNull(root))
        {
            reader.Error(root?.Start ?? Mark.Empty, string.Empty, $"the document is empty; expected an {Kind}");
            return Failed(reader);
        }

        var spec = ReadRoot(root, reader);
        return reader.Errors.Count == 0 && spec is not null
            ? new InferenceServiceParseResult(spec, [], reader.Warnings)
            : Failed(reader);
    }

    private static InferenceServiceParseResult Failed(SpecReader reader) => new(null, reader.ErrorsInDocumentOrder(), reader.Warnings);

    /// <summary>
    /// Refuses, before any node is built, what makes a small file expensive or ambiguous: anchors and aliases (the
    /// "billion laughs" expansion), nesting deeper than <see cref="MaxDepth"/>, and a second document.
    /// </summary>
    private static bool PreScan(string yaml, SpecReader reader)
    {
        var parser = new Parser(new StringReader(yaml));
        var documents = 0;
        var depth = 0;
        var ok = true;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case DocumentStart start when ++documents == 2:
                        reader.Error(start.Start, string.Empty,
                            "a second YAML document: give one InferenceService per file (apply each file on its own)");
                        return false;
                    case AnchorAlias alias:
                        reader.Error(alias.Start, string.Empty, $"YAML aliases (*{alias.Value}) are not allowed: write the value out");
                        ok = false;
                        break;
                    case NodeEvent { Anchor.IsEmpty: false } node:
                        reader.Error(node.Start, string.Empty, $"YAML anchors (&{node.Anchor}) are not allowed: write the value out");
                        ok = false;
                        break;
                }

                if (parser.Current is MappingStart or SequenceStart && ++depth > MaxDepth)
                {
                    reader.Error(parser.Current.Start, string.Empty, $"the document nests deeper than {MaxDepth} levels");
                    return false;
                }

                if (parser.Current is MappingEnd or SequenceEnd)
                {
                    depth--;
                }

                if (reader.Errors.Count > SpecReader.MaxErrors)
                {
                    return false;
                }
            }
        }
        catch (YamlException e)
        {
            reader.Error(e.Start, string.Empty, e.Message);
            return false;
        }

        return ok;
    }

    private static DeploymentSpec? ReadRoot(YamlNode rootNode, SpecReader reader)
    {
        if (reader.Mapping(rootNode, string.Empty) is not { } root)
        {
            return null;
        }

        var fields = reader.Fields(root, string.Empty, InferenceServiceFields.Root, InferenceServiceFields.RootIgnored);
        Expect(fields, "apiVersion", ApiVersion, root, reader);
        Expect(fields, "kind", Kind, root, reader);

        string? name = null;
        IReadOnlyDictionary<string, string> annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        var turbine = TurbineSettings.Default;
        if (!fields.TryGetValue("metadata", out var metadata))
        {
            reader.Error(root.Start, "metadata", "metadata.name is required");
        }
        else if (reader.Mapping(metadata.Value, "metadata") is { } metadataMap)
        {
            (name, annotations, turbine) = ReadMetadata(metadataMap, reader);
        }

        PredictorSpec? predictor = null;
        if (!fields.TryGetValue("spec", out var spec))
        {
            reader.Error(root.Start, "spec", "spec.predictor is required");
        }
        else if (reader.Mapping(spec.Value, "spec") is { } specMap)
        {
            var specFields = reader.Fields(specMap, "spec", InferenceServiceFields.Spec, new Dictionary<string, string>(), InferenceServiceFields.SpecUnsupported);
            if (!specFields.TryGetValue("predictor", out var predictorNode))
            {
                reader.Error(specMap.Start, "spec.predictor", "spec.predictor is required");
            }
            else if (reader.Mapping(predictorNode.Value, "spec.predictor") is { } predictorMap)
            {
                predictor = ReadPredictor(predictorMap, reader);
            }
        }

        return name is null || predictor is null ? null : new DeploymentSpec(name, annotations, predictor, turbine);
    }

    private static void Expect(Dictionary<string, (YamlScalarNode Key, YamlNode Value)> fields, string field, string expected, YamlMappingNode root, SpecReader reader)
    {
        if (!fields.TryGetValue(field, out var node))
        {
            reader.Error(root.Start, field, $"{field} is required; expected {expected}");
        }
        else if (reader.String(node.Value, field) is { } value && !string.Equals(value, expected, StringComparison.Ordinal))
        {
            reader.Error(node.Value.Start, field, $"expected {expected}, got '{value}'");
        }
    }

    private static (string? Name, IReadOnlyDictionary<string, string> Annotations, TurbineSettings Turbine) ReadMetadata(YamlMappingNode map, SpecReader reader)
    {
        var fields = reader.Fields(map, "metadata", InferenceServiceFields.MetadataFields, InferenceServiceFields.MetadataIgnored);
        string? name = null;
        if (!fields.TryGetValue("name", out var nameNode))
        {
            reader.Error(map.Start, "metadata.name", "metadata.name is required");
        }
        else if (reader.String(nameNode.Value, "metadata.name") is { } text)
        {
            if (text.Length > 63 || !NamePattern().IsMatch(text))
            {
                reader.Error(nameNode.Value.Start, "metadata.name",
                    $"'{(text.Length > 70 ? text[..70] + "…" : text)}' is not a valid name: 1-63 characters from a-z 0-9 -, starting with a letter and ending with a letter or digit (a DNS-1123 label, as KServe requires)");
            }
            else
            {
                name = text;
            }
        }

        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        var turbine = TurbineSettings.Default;
        if (fields.TryGetValue("annotations", out var annotationsNode) && !SpecReader.IsNull(annotationsNode.Value)
            && reader.Mapping(annotationsNode.Value, "metadata.annotations") is { } annotationsMap)
        {
            turbine = ReadAnnotations(annotationsMap, annotations, reader);
        }

        return (name, annotations, turbine);
    }

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex NamePattern();
}
