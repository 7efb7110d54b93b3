using System.Formats.Tar;
using System.Net;

namespace Turbine.Client.Registry;

/// <summary>
/// An HTTP body that packs a folder as an uncompressed POSIX (pax) tar straight into the request stream while it
/// is sent (chunked), so no copy of the folder is ever held in memory or on disk. Entries are written in ordinal
/// order with '/' separators, so the same folder packs to the same entry list.
/// </summary>
internal sealed class TarDirectoryContent : HttpContent
{
    private readonly string _directory;

    public TarDirectoryContent(string directory)
    {
        _directory = Path.GetFullPath(directory);
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var path in Directory.EnumerateFileSystemEntries(_directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(_directory, path).Replace('\\', '/');
            if (Directory.Exists(path))
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name + "/"), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await writer.WriteEntryAsync(path, name, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
