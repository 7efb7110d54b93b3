using Turbine.Registry.Artifacts;

namespace Turbine.Registry.Tests.Artifacts;

public sealed class FileSystemArtifactStoreTests : ArtifactStoreConformanceTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-tests", "artifacts-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(_root, recursive: true);
        }
    }

    protected override IArtifactStore CreateStore() => new FileSystemArtifactStore(Path.Combine(_root, Guid.NewGuid().ToString("N")));

    protected override string DownloadFolder() => Directory.CreateDirectory(Path.Combine(_root, "download-" + Guid.NewGuid().ToString("N"))).FullName;

    protected override Task<IReadOnlyList<string>> LeftoversAsync(IArtifactStore store)
    {
        var temp = ((FileSystemArtifactStore)store).TempPath;
        IReadOnlyList<string> files = [.. Directory.EnumerateFileSystemEntries(temp)];
        return Task.FromResult(files);
    }

    protected override long InFlightBytes(IArtifactStore store) =>
        new DirectoryInfo(((FileSystemArtifactStore)store).TempPath).EnumerateFiles().Sum(f => f.Length);

    [Fact]
    public async Task PutAsync_StoredBlob_LivesAtShardedPathReadOnly()
    {
        var store = (FileSystemArtifactStore)CreateStore();

        var blob = await store.PutAsync(new MemoryStream([1, 2, 3]), null, null, CancellationToken.None);

        var expected = Path.Combine(store.Root, "sha256", blob.Sha256[..2], blob.Sha256);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(expected));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(expected));
    }

    [Fact]
    public void Constructor_StaleTempFiles_RemovedButOneInUseIsKept()
    {
        var root = Path.Combine(_root, "stale");
        var temp = Path.Combine(root, "tmp");
        Directory.CreateDirectory(temp);
        var stale = Path.Combine(temp, "crashed.part");
        File.WriteAllBytes(stale, new byte[1234]);
        var staleReadOnly = Path.Combine(temp, "crashed-after-chmod.part");
        File.WriteAllBytes(staleReadOnly, new byte[10]);
        File.SetUnixFileMode(staleReadOnly, UnixFileMode.UserRead);
        var live = Path.Combine(temp, "live.part");
        using var held = new FileStream(live, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);

        var store = new FileSystemArtifactStore(root);

        Assert.False(File.Exists(stale), "the stale temp file of a crashed upload was not removed");
        Assert.False(File.Exists(staleReadOnly), "a stale temp file already made read-only was not removed");
        Assert.True(File.Exists(live), "a temp file an upload still holds open was removed");
        Assert.Equal(Path.GetFullPath(temp), store.TempPath);
    }
}
