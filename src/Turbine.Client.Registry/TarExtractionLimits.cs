using System.Globalization;

namespace Turbine.Client.Registry;

/// <summary>Bounds on what one tar artifact may extract to (<c>models pull</c> and <c>serve --registry</c>).</summary>
public sealed record TarExtractionLimits
{
    /// <summary>Total bytes of all regular files in the tar. Default 64 GiB.</summary>
    public long MaxBytes { get; init; } = 64L << 30;

    /// <summary>Entries (files and directories). Default 100,000.</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>Problems with the limits (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxBytes < 1)
        {
            problems.Add($"--max-extract-bytes must be positive, got {MaxBytes.ToString(CultureInfo.InvariantCulture)}");
        }

        if (MaxEntries < 1)
        {
            problems.Add($"--max-extract-entries must be positive, got {MaxEntries.ToString(CultureInfo.InvariantCulture)}");
        }

        return problems;
    }
}
