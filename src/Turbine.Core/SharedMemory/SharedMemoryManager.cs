using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Core.Repository;

namespace Turbine.Core.SharedMemory;

/// <summary>A registered system shared memory region as the status call reports it.</summary>
public sealed record SharedMemoryRegionStatus(string Name, string Key, long Offset, long ByteSize);

/// <summary>
/// Triton's system shared memory extension: clients register a POSIX shared memory object (<c>shm_open</c> key) under
/// a name, then name it in tensor parameters so inputs are read from, and outputs written into, the mapping. Each
/// registration is mapped once; every use is bounds-checked against the region and the object's current size; a
/// region unregistered while requests use it is unmapped when the last of them finishes. Lookups take no lock.
/// </summary>
public sealed class SharedMemoryManager : IDisposable
{
    private readonly ConcurrentDictionary<string, SharedMemoryRegion> _regions = new(StringComparer.Ordinal);
    private readonly Lock _registration = new();
    private readonly ILogger _logger;
    private int _mappedRegions;
    private long _mappedBytes;

    public SharedMemoryManager(SharedMemoryLimits limits, ILogger? logger = null)
    {
        if (limits.Validate() is [_, ..] problems)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(limits));
        }

        Limits = limits;
        _logger = logger ?? NullLogger.Instance;
    }

    public SharedMemoryLimits Limits { get; }

    /// <summary>Regions mapped now, including unregistered ones a request still uses.</summary>
    public int MappedRegions => Volatile.Read(ref _mappedRegions);

    /// <summary>Bytes mapped now, including unregistered regions a request still uses.</summary>
    public long MappedBytes => Interlocked.Read(ref _mappedBytes);

    /// <summary>Registers <paramref name="name"/> as <c>[offset, offset + byteSize)</c> of the object <paramref name="key"/>.</summary>
    public InferenceError? Register(string name, string key, long offset, long byteSize)
    {
        if (name.Length == 0)
        {
            return InferenceError.InvalidArgument("'region name' is necessary to register system shared memory region");
        }

        if (offset < 0 || byteSize < 1)
        {
            return InferenceError.InvalidArgument(
                $"failed to register shared memory region '{name}': invalid args: offset must be 0 or more and byte_size positive, got offset {offset} and byte_size {byteSize}");
        }

        if (ResolveKey(key) is not { } path)
        {
            return InferenceError.InvalidArgument(
                $"failed to register shared memory region '{name}': invalid key '{key}': a key names one object in {Limits.Directory} ('/name'), without further '/', '..' or NUL");
        }

        lock (_registration)
        {
            if (_regions.ContainsKey(name))
            {
                return new InferenceError(StatusCode.AlreadyExists, $"shared memory region '{name}' already in manager");
            }

            if (Limits.MaxRegions == 0)
            {
                return InferenceError.Unsupported(
                    $"failed to register shared memory region '{name}': system shared memory is turned off on this server (--max-shm-regions 0)");
            }

            if (Volatile.Read(ref _mappedRegions) >= Limits.MaxRegions)
            {
                return new InferenceError(StatusCode.ResourceExhausted,
                    $"failed to register shared memory region '{name}': {_mappedRegions} regions are mapped, the limit is {Limits.MaxRegions} (--max-shm-regions); unregister one first");
            }

            if (byteSize > Limits.MaxBytes - _mappedBytes)
            {
                return new InferenceError(StatusCode.ResourceExhausted,
                    $"failed to register shared memory region '{name}': {byteSize} bytes would bring the mapped total to more than the limit of {Limits.MaxBytes} bytes (--max-shm-bytes; {_mappedBytes} mapped)");
            }

            // Only a regular file, opened without following a link (a link swapped in after a check is refused too).
#pragma warning disable CA2000 // disposed on each early return below, else owned by SharedMemoryRegion.Map (which disposes it if mapping fails)
            var file = NativeFiles.OpenReadWriteNoFollow(path);
#pragma warning restore CA2000
            if (file is null)
            {
                return NativeFiles.TryStat(path, followLinks: false, out var link) && link.IsSymbolicLink
                    ? InferenceError.InvalidArgument(
                        $"failed to register shared memory region '{name}': '{key}' is a symbolic link; only a shared memory object itself can be registered")
                    : InferenceError.Internal($"Unable to open shared memory region: '{key}'");
            }

            if (!NativeFiles.TryStat(file, out var stat) || !stat.IsRegularFile)
            {
                file.Dispose();
                return InferenceError.InvalidArgument(
                    $"failed to register shared memory region '{name}': '{key}' is not a shared memory object (a regular file in {Limits.Directory})");
            }

            if (offset > stat.Size || byteSize > stat.Size - offset)
            {
                file.Dispose();
                return InferenceError.InvalidArgument(
                    $"failed to register shared memory region '{name}': invalid args: offset {offset} + byte_size {byteSize} is past the end of '{key}' ({stat.Size} bytes)");
            }

            SharedMemoryRegion region;
            try
            {
                region = SharedMemoryRegion.Map(name, key, offset, byteSize, file, OnUnmapped);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return InferenceError.InvalidArgument($"failed to register shared memory region '{name}': {e.Message}");
            }

            Interlocked.Increment(ref _mappedRegions);
            Interlocked.Add(ref _mappedBytes, byteSize);
            _regions[name] = region;
            SharedMemoryLog.Registered(_logger, name, key, offset, byteSize);
            return null;
        }
    }

    /// <summary>Unregisters <paramref name="name"/> (nothing when it is not registered, as in Triton); answers at once.</summary>
    public void Unregister(string name)
    {
        lock (_registration)
        {
            if (_regions.TryRemove(name, out var region))
            {
                SharedMemoryLog.Unregistered(_logger, name);
                region.Release();
            }
        }
    }

    /// <summary>Unregisters every region.</summary>
    public void UnregisterAll()
    {
        lock (_registration)
        {
            foreach (var name in _regions.Keys.ToList())
            {
                Unregister(name);
            }
        }
    }

    /// <summary>Every region (empty <paramref name="name"/>) or the one named; NOT_FOUND when it is not registered.</summary>
    public Result<IReadOnlyList<SharedMemoryRegionStatus>> Status(string name)
    {
        if (name.Length == 0)
        {
            return Result<IReadOnlyList<SharedMemoryRegionStatus>>.Ok(
                [.. _regions.Values.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => new SharedMemoryRegionStatus(r.Name, r.Key, r.Offset, r.ByteSize))]);
        }

        return _regions.TryGetValue(name, out var region)
            ? Result<IReadOnlyList<SharedMemoryRegionStatus>>.Ok([new SharedMemoryRegionStatus(region.Name, region.Key, region.Offset, region.ByteSize)])
            : InferenceError.NotFound($"Unable to find system shared memory region: '{name}'");
    }

    /// <summary>
    /// A hold on <c>[offset, offset + byteSize)</c> of the region <paramref name="name"/>, checked against the region and
    /// against the object's size now (a client may have shrunk it since it registered).
    /// </summary>
    internal Result<SharedMemoryLease> Lease(string name, long offset, long byteSize)
    {
        if (!_regions.TryGetValue(name, out var region) || !region.TryAddReference())
        {
            return InferenceError.NotFound($"Unable to find shared memory region: '{name}'");
        }

        var error = offset < 0 || offset >= region.ByteSize ? InferenceError.InvalidArgument($"Invalid offset for shared memory region: '{name}'")
            : byteSize < 0 || byteSize > region.ByteSize - offset ? InferenceError.InvalidArgument($"Invalid offset + byte size for shared memory region: '{name}'")
            : byteSize > Array.MaxLength ? InferenceError.InvalidArgument($"shared memory region '{name}': a tensor of {byteSize} bytes is larger than the {Array.MaxLength} bytes one tensor may have")
            : null;
        error ??= CheckObjectSize(region, offset, byteSize);

        if (error is not null)
        {
            region.Release();
            return error;
        }

#pragma warning disable CA2000 // ownership passes to the caller inside the Result
        return Result<SharedMemoryLease>.Ok(new SharedMemoryLease(region, offset, (int)byteSize));
#pragma warning restore CA2000
    }

    public void Dispose() => UnregisterAll();

    /// <summary>Null while the object still holds <c>[offset, offset + byteSize)</c> of the region (offsets within the region).</summary>
    internal static InferenceError? CheckObjectSize(SharedMemoryRegion region, long offset, long byteSize)
    {
        var size = region.CurrentObjectSize();
        return size < region.Offset || region.Offset + offset + byteSize > size
            ? InferenceError.InvalidArgument(
                $"shared memory region '{region.Name}': the object '{region.Key}' was shrunk to {Math.Max(size, 0)} bytes and no longer holds bytes {region.Offset + offset}..{region.Offset + offset + byteSize} of the region")
            : null;
    }

    /// <summary>
    /// <c>/name</c> (or <c>name</c>, as <c>shm_open</c> takes it) → <c>{Directory}/name</c>; null for anything that could
    /// name another file: further slashes, <c>.</c>, <c>..</c>, NUL, empty, longer than a file name may be.
    /// </summary>
    internal string? ResolveKey(string key)
    {
        var name = key.StartsWith('/') ? key[1..] : key;
        if (name.Length is 0 or > 255 || name is "." or ".." || name.Contains('/') || name.Contains('\0'))
        {
            return null;
        }

        return Path.Combine(Limits.Directory, name);
    }

    private void OnUnmapped(SharedMemoryRegion region)
    {
        Interlocked.Decrement(ref _mappedRegions);
        Interlocked.Add(ref _mappedBytes, -region.ByteSize);
    }
}
