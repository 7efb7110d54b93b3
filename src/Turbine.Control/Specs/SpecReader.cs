using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Turbine.Control.Specs;

/// <summary>
/// Walks the YAML representation model for <see cref="InferenceServiceParser"/>: typed reads that report a wrong type at
/// the value's own line and column, the known / ignored / unsupported field check of a mapping, and the error and warning
/// lists. Every read keeps going after an error so that the user sees all of them at once.
/// </summary>
internal sealed partial class SpecReader(string origin)
{
    /// <summary>Errors past this many are dropped after one last "too many errors" line: a hostile file cannot grow the list.</summary>
    public const int MaxErrors = 100;

    private readonly List<SpecDiagnostic> _errors = [];
    private readonly List<SpecDiagnostic> _warnings = [];
    private readonly HashSet<string> _warnedFields = new(StringComparer.Ordinal);

    public IReadOnlyList<SpecDiagnostic> Errors => _errors;

    /// <summary>The errors in the order of the document (line, then column); the "too many errors" line stays last.</summary>
    public IReadOnlyList<SpecDiagnostic> ErrorsInDocumentOrder() =>
        [.. _errors.Take(MaxErrors).OrderBy(e => e.Line).ThenBy(e => e.Column), .. _errors.Skip(MaxErrors)];

    public IReadOnlyList<SpecDiagnostic> Warnings => _warnings;

    public void Error(Mark mark, string path, string message)
    {
        if (_errors.Count < MaxErrors)
        {
            _errors.Add(Diagnostic(mark, path, message));
        }
        else if (_errors.Count == MaxErrors)
        {
            _errors.Add(Diagnostic(mark, string.Empty, $"more than {MaxErrors} errors; stopped reporting"));
        }
    }

    /// <summary>Warns that a field is ignored on this runtime, once per field name and reason however often it appears.</summary>
    public void Ignored(YamlNode key, string path, string name, string why)
    {
        if (_warnedFields.Add(why + "|" + name))
        {
            _warnings.Add(Diagnostic(key.Start, path, $"ignored on this runtime: {why}"));
        }
    }

    public SpecDiagnostic Diagnostic(Mark mark, string path, string message) =>
        new(origin, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column), path, message);

    /// <summary>
    /// Splits <paramref name="map"/> into the fields the caller reads (returned, by name), fields ignored on this runtime
    /// (one warning each), fields Turbine refuses (an error with the reason) and unknown fields (an error listing the known ones).
    /// </summary>
    public Dictionary<string, (YamlScalarNode Key, YamlNode Value)> Fields(
        YamlMappingNode map,
        string path,
        IReadOnlyCollection<string> known,
        IReadOnlyDictionary<string, string> ignored,
        IReadOnlyDictionary<string, string>? unsupported = null)
    {
        var found = new Dictionary<string, (YamlScalarNode, YamlNode)>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name } key)
            {
                Error(keyNode.Start, path, "a field name must be a plain string");
                continue;
            }

            var fieldPath = Join(path, name);
            if (known.Contains(name))
            {
                found[name] = (key, value);
            }
            else if (ignored.TryGetValue(name, out var why))
            {
                Ignored(key, fieldPath, name, why);
            }
            else if (unsupported is not null && unsupported.TryGetValue(name, out var reason))
            {
                Error(key.Start, fieldPath, reason);
            }
            else
            {
                Error(key.Start, fieldPath, $"unknown field '{name}'; expected one of {string.Join(", ", known)}");
            }
        }

        return found;
    }

    public YamlMappingNode? Mapping(YamlNode node, string path)
    {
        if (node is YamlMappingNode map)
        {
            return map;
        }

        Error(node.Start, path, $"expected a mapping, got {Describe(node)}");
        return null;
    }

    /// <summary>A string value; a plain YAML number, boolean or null where a string belongs is an error, as on Kubernetes.</summary>
    public string? String(YamlNode node, string path)
    {
        if (node is not YamlScalarNode scalar || scalar.Value is null)
        {
            Error(node.Start, path, $"expected a string, got {Describe(node)}");
            return null;
        }

        if (scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && NotString(scalar.Value) is { } type)
        {
            Error(node.Start, path, $"expected a string, got the {type} {scalar.Value}; quote it (\"{scalar.Value}\")");
            return null;
        }

        return scalar.Value;
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>]; a quoted number is a string, as Kubernetes sees it.</summary>
    public long? Integer(YamlNode node, string path, long min, long max)
    {
        if (node is not YamlScalarNode scalar || scalar.Value is null || scalar.Style != YamlDotNet.Core.ScalarStyle.Plain
            || !IntegerPattern().IsMatch(scalar.Value)
            || !long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Error(node.Start, path, $"expected an integer, got {Describe(node)}");
            return null;
        }

        if (value < min || value > max)
        {
            Error(node.Start, path, max >= int.MaxValue
                ? $"must be at least {min}, got {value}"
                : $"must be between {min} and {max}, got {value}");
            return null;
        }

        return value;
    }

    /// <summary>True for an absent value written as <c>field:</c>, <c>~</c> or <c>null</c>: Kubernetes treats it as unset.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Style: not YamlDotNet.Core.ScalarStyle.Plain } s => $"the string '{Shorten(s.Value)}'",
        YamlScalarNode s when IsNull(s) => "null",
        YamlScalarNode s => $"'{Shorten(s.Value)}'",
        _ => "an alias",
    };

    /// <summary>What a plain scalar is to Kubernetes' YAML reader (YAML 1.1 rules: <c>yes</c>/<c>on</c> are booleans), or null for a string.</summary>
    private static string? NotString(string value)
    {
        if (value is "" or "~" || value.Equals("null", StringComparison.OrdinalIgnoreCase))
        {
            return "null";
        }

        if (BooleanPattern().IsMatch(value))
        {
            return "boolean";
        }

        return NumberPattern().IsMatch(value) ? "number" : null;
    }

    private static string Shorten(string? text) => text is null ? string.Empty : text.Length > 40 ? text[..40] + "…" : text;

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")]
    private static partial Regex BooleanPattern();

    [GeneratedRegex(@"^([-+]?[0-9]+[eE][-+]?[0-9]+|[-+]?(0|[1-9][0-9_]*|0[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)|[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex NumberPattern();
}
