using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Turbine.Core.Repository;

/// <summary>
/// The few Linux calls .NET does not expose: <c>realpath</c>, the file type (<c>statx</c>) and an
/// <c>open(O_NOFOLLOW | O_NONBLOCK)</c>, so a FIFO or device is recognised before it is opened and a file swapped for
/// a link between the check and the open is refused. Turbine builds for linux-x64 only.
/// </summary>
internal static partial class NativeFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int ReadOnly = 0;
    private const int ReadWrite = 2;
    private const int NonBlock = 0x800;
    private const int NoFollow = 0x20000;
    private const int CloseOnExec = 0x80000;
    private const int StatxBufferSize = 256;

    /// <summary>The path with every link, <c>.</c> and <c>..</c> resolved; null when it does not exist or cannot be resolved.</summary>
    public static string? RealPath(string path)
    {
        var result = RealPathNative(path, 0);
        if (result == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(result);
        }
        finally
        {
            Free(result);
        }
    }

    public static bool TryStat(string path, bool followLinks, out FileStat stat)
    {
        var buffer = new byte[StatxBufferSize];
        var ok = StatxPath(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer) == 0;
        stat = ok ? FileStat.From(buffer) : default;
        return ok;
    }

    public static bool TryStat(SafeFileHandle handle, out FileStat stat)
    {
        var buffer = new byte[StatxBufferSize];
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var ok = StatxPath((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxBasicStats, buffer) == 0;
            stat = ok ? FileStat.From(buffer) : default;
            return ok;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Opens for reading without following a final link and without blocking on a FIFO; null on failure.</summary>
    public static SafeFileHandle? OpenReadNoFollow(string path)
    {
        var fd = Open(path, ReadOnly | NoFollow | NonBlock | CloseOnExec);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Opens for reading and writing without following a final link and without blocking; null on failure.</summary>
    public static SafeFileHandle? OpenReadWriteNoFollow(string path)
    {
        var fd = Open(path, ReadWrite | NoFollow | NonBlock | CloseOnExec);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathNative(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxPath(int directory, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    /// <summary>The parts of <c>struct statx</c> Turbine uses (its layout is the same on every Linux architecture).</summary>
    internal readonly record struct FileStat(ushort Mode, ulong Inode, long Size, uint DeviceMajor, uint DeviceMinor)
    {
        private const int TypeMask = 0xF000;
        private const int RegularFile = 0x8000;

        private const int SymbolicLink = 0xA000;

        private const int Directory = 0x4000;

        public bool IsRegularFile => (Mode & TypeMask) == RegularFile;

        public bool IsSymbolicLink => (Mode & TypeMask) == SymbolicLink;

        public bool IsDirectory => (Mode & TypeMask) == Directory;

        public bool SameFile(FileStat other) => Inode == other.Inode && DeviceMajor == other.DeviceMajor && DeviceMinor == other.DeviceMinor;

        public static FileStat From(ReadOnlySpan<byte> b) => new(
            BitConverter.ToUInt16(b[28..]),
            BitConverter.ToUInt64(b[32..]),
            (long)BitConverter.ToUInt64(b[40..]),
            BitConverter.ToUInt32(b[136..]),
            BitConverter.ToUInt32(b[140..]));
    }
}
