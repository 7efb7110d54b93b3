namespace Turbine.Core.Config;

/// <summary>A model configuration that cannot be read. <see cref="Exception.Message"/> is
/// <c>"{path}:{line}:{col}: {what}"</c>.</summary>
public sealed class ModelConfigException : Exception
{
    public ModelConfigException(string sourcePath, int line, int column, string what)
        : base($"{sourcePath}:{line}:{column}: {what}")
    {
        SourcePath = sourcePath;
        Line = line;
        Column = column;
        What = what;
    }

    public string SourcePath { get; }

    /// <summary>1-based; 0 when not applicable.</summary>
    public int Line { get; }

    /// <summary>1-based; 0 when not applicable.</summary>
    public int Column { get; }

    /// <summary>The message without the position prefix.</summary>
    public string What { get; }
}
