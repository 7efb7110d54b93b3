using System.Text.RegularExpressions;

namespace Turbine.Registry.Domain;

/// <summary>Checks names and metadata before anything is stored; throws <see cref="RegistryException"/> with a clear message.</summary>
internal static partial class RegistryValidation
{
    public static void ModelName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            throw RegistryException.Invalid("invalid_name",
                $"model name '{name}' is not valid: use 1-128 characters from A-Z a-z 0-9 _ . -, starting with a letter or digit (no '/' or '..')");
        }
    }

    public static void AliasName(string alias)
    {
        if (!NamePattern().IsMatch(alias) || alias.Contains(':', StringComparison.Ordinal))
        {
            throw RegistryException.Invalid("invalid_name",
                $"alias '{alias}' is not valid: use 1-128 characters from A-Z a-z 0-9 _ . -, starting with a letter or digit");
        }

        if (Enum.TryParse<ModelStage>(alias, ignoreCase: true, out _))
        {
            throw RegistryException.Invalid("invalid_name", $"alias '{alias}' is a stage name; references name@{alias} mean the stage");
        }
    }

    public static void FileName(string fileName)
    {
        if (fileName.Length is 0 or > 255 || fileName is "." or ".." || fileName.Any(c => c is '/' or '\\' or '"' or < ' ' or > '~'))
        {
            throw RegistryException.Invalid("invalid_name",
                $"artifact fileName '{fileName}' is not a plain file name: 1-255 printable ASCII characters, no '/', '\\', '\"', not '.' or '..'");
        }
    }

    public static void Description(string? description, string what = "description")
    {
        if (description is { Length: > RegistryLimits.MaxDescriptionLength })
        {
            throw RegistryException.Invalid("too_large",
                $"{what} has {description.Length} characters; the limit is {RegistryLimits.MaxDescriptionLength}");
        }
    }

    public static void Text(string? value, string what, int max = RegistryLimits.MaxKeyLength)
    {
        if (value is not null && value.Length > max)
        {
            throw RegistryException.Invalid("invalid_metadata", $"{what} has {value.Length} characters; the limit is {max}");
        }
    }

    public static void Entries<TValue>(IReadOnlyDictionary<string, TValue>? entries, string what)
    {
        if (entries is null)
        {
            return;
        }

        if (entries.Count > RegistryLimits.MaxEntries)
        {
            throw RegistryException.Invalid("too_large", $"{entries.Count} {what}; the limit is {RegistryLimits.MaxEntries}");
        }

        foreach (var (key, value) in entries)
        {
            if (key.Length is 0 or > RegistryLimits.MaxKeyLength)
            {
                throw RegistryException.Invalid("invalid_metadata",
                    $"{what} key '{Shorten(key)}' must have 1-{RegistryLimits.MaxKeyLength} characters, has {key.Length}");
            }

            if (value is string s && s.Length > RegistryLimits.MaxValueLength)
            {
                throw RegistryException.Invalid("invalid_metadata",
                    $"{what} '{key}' value has {s.Length} characters; the limit is {RegistryLimits.MaxValueLength}");
            }

            if (value is double d && !double.IsFinite(d))
            {
                throw RegistryException.Invalid("invalid_metadata", $"{what} '{key}' must be a finite number");
            }
        }
    }

    public static ModelStage Stage(string? text)
    {
        if (text is not null && Enum.TryParse<ModelStage>(text, ignoreCase: true, out var stage) && Enum.IsDefined(stage)
            && !int.TryParse(text, out _))
        {
            return stage;
        }

        throw RegistryException.Invalid("invalid_stage", $"unknown stage '{text}'; expected one of None, Staging, Production, Archived");
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex NamePattern();
}
