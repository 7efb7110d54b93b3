namespace Turbine.Core.SharedMemory;

/// <summary>
/// Bounds on client-registered system shared memory (<c>--max-shm-regions</c>, <c>--max-shm-bytes</c>). A region is
/// mapped into the server's address space and keeps a file descriptor open until it is unregistered and its last
/// request has finished, so both are counted until the unmap.
/// </summary>
public sealed record SharedMemoryLimits
{
    /// <summary>Default of <see cref="MaxRegions"/>.</summary>
    public const int DefaultMaxRegions = 256;

    /// <summary>Default of <see cref="MaxBytes"/>: 16 GiB.</summary>
    public const long DefaultMaxBytes = 16L << 30;

    /// <summary>Regions mapped at once (registered, or unregistered but still used by a request). 0 turns the extension off.</summary>
    public int MaxRegions { get; init; } = DefaultMaxRegions;

    /// <summary>Bytes mapped at once, summed over the regions' <c>byte_size</c>.</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>The folder POSIX shared memory objects live in; <c>shm_open("/name")</c> is <c>/dev/shm/name</c> on Linux.</summary>
    public string Directory { get; init; } = "/dev/shm";

    /// <summary>The problems with these limits (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxRegions < 0)
        {
            problems.Add($"--max-shm-regions must be 0 or more, got {MaxRegions}");
        }

        if (MaxBytes < 1)
        {
            problems.Add($"--max-shm-bytes must be positive, got {MaxBytes}");
        }

        return problems;
    }
}
