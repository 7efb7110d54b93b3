using System.Text;

namespace Turbine.Control.Runtime;

/// <summary>
/// A replica's log file (<c>replica.log</c> in its folder), which the child appends to itself (<c>O_APPEND</c>, so the
/// child never writes into a pipe the controller could close). Reads are bounded; only a regular file is opened.
/// Rotation copies the newest bytes to <c>replica.log.1</c> and empties the file in place (the child's descriptor stays
/// valid and appends at the new end); lines written between the copy and the truncation are lost.
/// </summary>
internal static class ReplicaLogFile
{
    public const string FileName = "replica.log";

    /// <summary>The newest <paramref name="lines"/> lines within the last <paramref name="maxBytes"/> bytes; empty when there is no log.</summary>
    public static IReadOnlyList<string> Tail(string path, int lines, int maxBytes)
    {
        if (lines <= 0)
        {
            return [];
        }

        var text = ReadEnd(path, maxBytes, out var cut);
        var all = text.Split('\n');
        var list = new List<string>(all.Length);
        for (var i = cut ? 1 : 0; i < all.Length; i++)
        {
            // The first line of a cut read is partial; a final empty entry is the newline that ends the file.
            if (i == all.Length - 1 && all[i].Length == 0)
            {
                continue;
            }

            list.Add(all[i].TrimEnd('\r'));
        }

        return list.Count <= lines ? list : list[^lines..];
    }

    /// <summary>The newest non-empty line, or null.</summary>
    public static string? LastLine(string path, int maxBytes) =>
        Tail(path, 50, maxBytes).LastOrDefault(l => !string.IsNullOrWhiteSpace(l));

    /// <summary>The current size of the log (0 when it does not exist).</summary>
    public static long Length(string path)
    {
        var info = new FileInfo(path);
        return info.Exists && info.LinkTarget is null ? info.Length : 0;
    }

    /// <summary>What was written from <paramref name="offset"/> on (at most <paramref name="maxBytes"/> bytes, the newest).</summary>
    public static string ReadFrom(string path, long offset, int maxBytes)
    {
        using var stream = Open(path);
        if (stream is null || stream.Length <= offset)
        {
            return "";
        }

        var start = Math.Max(offset, stream.Length - maxBytes);
        return ReadRange(stream, start, (int)(stream.Length - start));
    }

    /// <summary>Rotates the log when it is larger than <paramref name="maxBytes"/>; true when it did.</summary>
    public static bool RotateIfLarge(string path, long maxBytes)
    {
        try
        {
            using var stream = Open(path, write: true);
            if (stream is null || stream.Length <= maxBytes)
            {
                return false;
            }

            var keep = (int)Math.Min(maxBytes, int.MaxValue);
            var old = path + ".1";
            stream.Seek(-keep, SeekOrigin.End);
            using (var target = new FileStream(old, FileMode.Create, FileAccess.Write, FileShare.Read))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    target.Write(buffer, 0, read);
                }
            }

            stream.SetLength(0);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // tried again at the next probe
        }
    }

    private static string ReadEnd(string path, int maxBytes, out bool cut)
    {
        cut = false;
        using var stream = Open(path);
        if (stream is null)
        {
            return "";
        }

        var length = stream.Length;
        var start = Math.Max(0, length - maxBytes);
        cut = start > 0;
        return ReadRange(stream, start, (int)(length - start));
    }

    private static string ReadRange(FileStream stream, long start, int count)
    {
        var buffer = new byte[count];
        stream.Seek(start, SeekOrigin.Begin);
        var total = 0;
        int read;
        while (total < count && (read = stream.Read(buffer, total, count - total)) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    /// <summary>The log as a stream, or null when it does not exist or is not a regular file (a link, a folder).</summary>
    private static FileStream? Open(string path, bool write = false)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null)
        {
            return null;
        }

        try
        {
            return new FileStream(path, FileMode.Open, write ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}
