using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;
using Turbine.Core.Repository;

namespace Turbine.Core.SharedMemory;

/// <summary>
/// One registered region: <c>[offset, offset + byte_size)</c> of a shared memory object, mapped once at registration.
/// Reference-counted: the manager holds one reference while the region is registered and every lease holds one, so
/// unregistering while a request reads or writes the region only drops the manager's reference and the unmap happens
/// when the last lease is released.
/// </summary>
internal sealed unsafe class SharedMemoryRegion
{
    private readonly FileStream _file;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly Action<SharedMemoryRegion> _unmapped;
    private byte* _base;
    private int _references = 1;

    private SharedMemoryRegion(string name, string key, long offset, long byteSize, FileStream file, MemoryMappedFile map,
        MemoryMappedViewAccessor view, Action<SharedMemoryRegion> unmapped)
    {
        Name = name;
        Key = key;
        Offset = offset;
        ByteSize = byteSize;
        _file = file;
        _map = map;
        _view = view;
        _unmapped = unmapped;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + view.PointerOffset;
    }

    public string Name { get; }

    public string Key { get; }

    /// <summary>Offset of the region in the shared memory object.</summary>
    public long Offset { get; }

    public long ByteSize { get; }

    /// <summary>
    /// Maps <paramref name="byteSize"/> bytes at <paramref name="offset"/> of the open object <paramref name="file"/>
    /// (read-write, shared). Takes ownership of the handle, also on failure.
    /// </summary>
    public static SharedMemoryRegion Map(string name, string key, long offset, long byteSize, SafeFileHandle file, Action<SharedMemoryRegion> unmapped)
    {
        MemoryMappedFile? map = null;
        FileStream? stream = null;
        try
        {
            // The stream owns the descriptor and stays open with the mapping, so every use can check the object's
            // current size with fstat.
            stream = new FileStream(file, FileAccess.ReadWrite, bufferSize: 0);
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
            var view = map.CreateViewAccessor(offset, byteSize, MemoryMappedFileAccess.ReadWrite);
            return new SharedMemoryRegion(name, key, offset, byteSize, stream, map, view, unmapped);
        }
        catch
        {
            map?.Dispose();
            if (stream is not null)
            {
                stream.Dispose();
            }
            else
            {
                file.Dispose();
            }

            throw;
        }
    }

    /// <summary>Takes a reference unless the region is already unmapped.</summary>
    public bool TryAddReference()
    {
        var current = Volatile.Read(ref _references);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Drops a reference; the last one unmaps the region and closes the object.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0)
        {
            return;
        }

        _base = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        _file.Dispose();
        _unmapped(this);
    }

    /// <summary>The object's current size: a client may have shrunk it since registration.</summary>
    public long CurrentObjectSize() => NativeFiles.TryStat(_file.SafeFileHandle, out var stat) ? stat.Size : -1;

    /// <summary>The address of <paramref name="offset"/> within the region; valid while a reference is held.</summary>
    public byte* At(long offset) => _base + offset;
}
