using System.Text.RegularExpressions;

namespace Turbine.Registry.Domain;

/// <summary>Checks names and metadata before anything is stored; each check returns null or a <see cref="RegistryError"/> with a clear message.</summary>
internal static partial class RegistryValidation
{
    public static RegistryError? ModelName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            return RegistryError.Invalid("invalid_name",
                $"model name '{name}' is not valid: use 1-128 characters from A-Z a-z 0-9 _ . -, starting with a letter or digit (no '/' or '..')");
        }

        return null;
    }

    public static RegistryError? AliasName(string alias)
    {
        if (!NamePattern().IsMatch(alias) || alias.Contains(':', StringComparison.Ordinal))
        {
            return RegistryError.Invalid("invalid_name",
                $"alias '{alias}' is not valid: use 1-128 characters from A-Z a-z 0-9 _ . -, starting with a letter or digit");
        }

        if (Enum.TryParse<ModelStage>(alias, ignoreCase: true, out _))
        {
            return RegistryError.Invalid("invalid_name", $"alias '{alias}' is a stage name; references name@{alias} mean the stage");
        }

        return null;
    }

    public static RegistryError? FileName(string fileName)
    {
        if (fileName.Length is 0 or > 255 || fileName is "." or ".." || fileName.Any(c => c is '/' or '\\' or '"' or < ' ' or > '~'))
        {
            return RegistryError.Invalid("invalid_name",
                $"artifact fileName '{fileName}' is not a plain file name: 1-255 printable ASCII characters, no '/', '\\', '\"', not '.' or '..'");
        }

        return null;
    }

    public static RegistryError? Description(string? description, string what = "description")
    {
        if (description is { Length: > RegistryLimits.MaxDescriptionLength })
        {
            return RegistryError.Invalid("too_large",
                $"{what} has {description.Length} characters; the limit is {RegistryLimits.MaxDescriptionLength}");
        }

        return null;
    }

    public static RegistryError? Text(string? value, string what, int max = RegistryLimits.MaxKeyLength)
    {
        if (value is not null && value.Length > max)
        {
            return RegistryError.Invalid("invalid_metadata", $"{what} has {value.Length} characters; the limit is {max}");
        }

        return null;
    }

    public static RegistryError? Entries<TValue>(IReadOnlyDictionary<string, TValue>? entries, string what)
    {
        if (entries is null)
        {
            return null;
        }

        if (entries.Count > RegistryLimits.MaxEntries)
        {
            return RegistryError.Invalid("too_large", $"{entries.Count} {what}; the limit is {RegistryLimits.MaxEntries}");
        }

        foreach (var (key, value) in entries)
        {
            if (key.Length is 0 or > RegistryLimits.MaxKeyLength)
            {
                return RegistryError.Invalid("invalid_metadata",
                    $"{what} key '{Shorten(key)}' must have 1-{RegistryLimits.MaxKeyLength} characters, has {key.Length}");
            }

            if (value is string s && s.Length > RegistryLimits.MaxValueLength)
            {
                return RegistryError.Invalid("invalid_metadata",
                    $"{what} '{key}' value has {s.Length} characters; the limit is {RegistryLimits.MaxValueLength}");
            }

            if (value is double d && !double.IsFinite(d))
            {
                return RegistryError.Invalid("invalid_metadata", $"{what} '{key}' must be a finite number");
            }
        }

        return null;
    }

    public static RegistryResult<ModelStage> Stage(string? text)
    {
        if (text is not null && Enum.TryParse<ModelStage>(text, ignoreCase: true, out var stage) && Enum.IsDefined(stage)
            && !int.TryParse(text, out _))
        {
            return stage;
        }

        return RegistryError.Invalid("invalid_stage", $"unknown stage '{text}'; expected one of None, Staging, Production, Archived");
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex NamePattern();
}
