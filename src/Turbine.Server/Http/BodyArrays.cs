using System.Buffers;
using System.Numerics;

namespace Turbine.Server.Http;

/// <summary>
/// Arrays for request bodies and converted tensors: sizes up to <see cref="PooledMaxBytes"/> that are powers of two
/// come from (and go back to) the shared pool; larger ones are plain arrays the GC takes back, so a burst of large
/// requests does not leave gigabytes parked in the pool (the shared pool keeps arrays up to 1 GiB).
/// </summary>
internal static class BodyArrays
{
    public const int PooledMaxBytes = 1 << 20;

    /// <summary>An array of at least <paramref name="size"/> bytes (exactly, for power-of-two sizes).</summary>
    public static byte[] Rent(int size) =>
        size <= PooledMaxBytes
            ? ArrayPool<byte>.Shared.Rent(size)
            : GC.AllocateUninitializedArray<byte>(size);

    /// <summary>
    /// As <see cref="Rent"/>, but a heap that cannot supply the array (a <c>DOTNET_GCHeapHardLimit</c> reached, or
    /// large-object fragmentation under it) is a refusal the caller answers with 503, not an exception that fails the
    /// request with 500.
    /// </summary>
    public static bool TryRent(int size, out byte[] buffer)
    {
        try
        {
            buffer = Rent(size);
            return true;
        }
        catch (OutOfMemoryException)
        {
        }

        // Under a heap limit the large-object heap fragments: compact it once and try again before refusing.
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        try
        {
            buffer = Rent(size);
            return true;
        }
        catch (OutOfMemoryException)
        {
            buffer = [];
            return false;
        }
    }

    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= PooledMaxBytes && BitOperations.IsPow2(buffer.Length) && buffer.Length >= 16)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
