namespace Turbine.Client;

/// <summary>An output to return from an inference request.</summary>
public sealed class InferRequestedOutput
{
    /// <param name="name">Output name.</param>
    /// <param name="binary">Ask for the output in the binary tensor data extension (default) instead of JSON.</param>
    /// <param name="classCount">When above 0, ask for the top-k classification ("score:index[:label]" strings).</param>
    /// <summary>Asks for the output <paramref name="name"/>.</summary>
    public InferRequestedOutput(string name, bool binary = true, int classCount = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);
        Name = name;
        Binary = binary;
        ClassCount = classCount;
    }

    /// <summary>The output's name.</summary>
    public string Name { get; }

    /// <summary>Whether the output comes back in the binary tensor data extension rather than as JSON.</summary>
    public bool Binary { get; }

    /// <summary>The top-k classification asked for; 0 for the tensor itself.</summary>
    public int ClassCount { get; }
}
