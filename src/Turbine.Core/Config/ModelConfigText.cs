namespace Turbine.Core.Config;

/// <summary>Reads Triton's <c>config.pbtxt</c> (protobuf text format) into a <see cref="ModelConfig"/>.</summary>
public static class ModelConfigText
{
    /// <summary>Parses and type-checks <paramref name="text"/>; semantic checks are
    /// <see cref="ModelConfigValidator.Validate"/>'s job.</summary>
    /// <exception cref="ModelConfigException">The text is not a valid model config; the message names the
    /// position, the field and what was expected.</exception>
    public static ModelConfig Parse(string text, string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourcePath);
        return ConfigBinder.Bind(TextFormatParser.Parse(text, sourcePath), sourcePath);
    }
}
