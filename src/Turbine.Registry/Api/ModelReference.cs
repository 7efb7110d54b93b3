using System.Globalization;
using Turbine.Registry.Domain;

namespace Turbine.Registry.Api;

/// <summary>
/// A version reference: <c>name:3</c> (number), <c>name@champion</c> (alias), <c>name@production</c> (stage, the
/// highest version in it; case-insensitive) or <c>name</c> (latest version).
/// </summary>
internal sealed record ModelReference(string Model, long? Version, ModelStage? Stage, string? Alias)
{
    public static RegistryResult<ModelReference> Parse(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var colon = text.LastIndexOf(':');
        if (at > 0)
        {
            var model = text[..at];
            var target = text[(at + 1)..];
            if (RegistryValidation.ModelName(model) is { } badModel)
            {
                return badModel;
            }

            if (Enum.TryParse<ModelStage>(target, ignoreCase: true, out var stage) && !char.IsDigit(target[0]) && stage != ModelStage.None)
            {
                return new ModelReference(model, null, stage, null);
            }

            if (RegistryValidation.AliasName(target) is { } badAlias)
            {
                return badAlias;
            }

            return new ModelReference(model, null, null, target);
        }

        if (colon > 0)
        {
            var model = text[..colon];
            if (RegistryValidation.ModelName(model) is { } badModel)
            {
                return badModel;
            }

            return long.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
                ? new ModelReference(model, version, null, null)
                : RegistryError.Invalid("invalid_reference", $"reference '{text}': the part after ':' must be a version number");
        }

        if (at == 0 || colon == 0 || text.Length == 0)
        {
            return RegistryError.Invalid("invalid_reference", $"reference '{text}' is not name, name:N, name@alias or name@stage");
        }

        return RegistryValidation.ModelName(text) is { } badName ? badName : new ModelReference(text, null, null, null);
    }

    public override string ToString() =>
        Version is { } v ? $"{Model}:{v}" : Stage is { } s ? $"{Model}@{s.ToString().ToLowerInvariant()}" : Alias is { } a ? $"{Model}@{a}" : Model;
}
