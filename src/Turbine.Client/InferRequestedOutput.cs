namespace Turbine.Client;

/// <summary>An output to return from an inference request.</summary>
public sealed class InferRequestedOutput
{
    /// <param name="name">Output name.</param>
    /// <param name="binary">Ask for the output in the binary tensor data extension (default) instead of JSON.</param>
    /// <param name="classCount">When above 0, ask for the top-k classification ("score:index[:label]" strings).</param>
    public InferRequestedOutput(string name, bool binary = true, int classCount = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(classCount);
        Name = name;
        Binary = binary;
        ClassCount = classCount;
    }

    public string Name { get; }

    public bool Binary { get; }

    public int ClassCount { get; }
}
