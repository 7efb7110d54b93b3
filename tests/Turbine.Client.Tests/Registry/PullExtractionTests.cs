using System.Formats.Tar;
using Turbine.Client.Registry;
using Turbine.TestSupport;

namespace Turbine.Client.Tests.Registry;

/// <summary>
/// Issue 11 item 8: <c>models pull</c> of a tar artifact holding special files, links or escaping names, pushed to a
/// real registry. Each is refused naming the entry and its type, nothing lands in the target folder, and a good tar
/// still pulls afterwards. The limits on entries and bytes hold before anything is written.
/// </summary>
public sealed class PullExtractionTests : IAsyncLifetime
{
    private RegistryHarness _registry = null!;
    private RegistryClient _client = null!;
    private int _versions;

    public static TheoryData<string, string> Attacks => new()
    {
        { "fifo", "tar entry 'labels.txt' is a FIFO; artifacts may hold only regular files and directories" },
        { "chardev", "tar entry 'zero' is a character device" },
        { "blockdev", "tar entry 'disk' is a block device" },
        { "symlink", "tar entry 'passwd' is a symbolic link" },
        { "symlink-inside", "tar entry 'alias.onnx' is a symbolic link" },
        { "hardlink", "tar entry 'copy.onnx' is a hard link" },
        { "dotdot", "tar entry 'a/../../escape.txt' has a '..' path" },
        { "absolute", "tar entry '/tmp/turbine-abs.txt' has an absolute or unusable path" },
    };

    public async Task InitializeAsync()
    {
        _registry = await RegistryHarness.StartAsync();
        _client = new RegistryClient(_registry.Url);
        await _client.CreateModelAsync(new NewRegisteredModel { Name = "m" });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _registry.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task PullAsync_TarWithForbiddenEntry_RefusedNamingEntryAndTypeAndWritesNothing(string attack, string expected)
    {
        TarEntry[] entries = attack switch
        {
            "fifo" => [HostileTar.Fifo("labels.txt")],
            "chardev" => [HostileTar.CharacterDevice("zero")],
            "blockdev" => [HostileTar.BlockDevice("disk")],
            "symlink" => [HostileTar.SymbolicLink("passwd", "/etc/passwd")],
            "symlink-inside" => [HostileTar.SymbolicLink("alias.onnx", "1/model.onnx")],
            "hardlink" => [HostileTar.HardLink("copy.onnx", "1/model.onnx")],
            "dotdot" => [HostileTar.Text("a/../../escape.txt", "x")],
            "absolute" => [HostileTar.Text("/tmp/turbine-abs.txt", "x")],
            _ => throw new ArgumentOutOfRangeException(nameof(attack)),
        };
        var version = await PushTarAsync(entries);
        var target = Path.Combine(_registry.Directory, "pulled");

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => _client.PullAsync(version, target));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
        Assert.False(File.Exists(Path.Combine(_registry.Directory, "escape.txt")));

        // The client still works: a clean tar pulls.
        var good = await PushTarAsync([HostileTar.Text("labels.txt", "a\nb\n")]);
        await _client.PullAsync(good, target);
        Assert.Equal("a\nb\n", await File.ReadAllTextAsync(Path.Combine(target, "labels.txt")));
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(Path.Combine(target, "1", "model.onnx")));
    }

    [Fact]
    public async Task PullAsync_OverEntryOrByteLimit_RefusedNamingTheLimit()
    {
        var version = await PushTarAsync([HostileTar.Text("a.txt", new byte[600]), HostileTar.Text("b.txt", new byte[600])]);
        var target = Path.Combine(_registry.Directory, "pulled");

        var bytes = await Assert.ThrowsAsync<InvalidDataException>(() => _client.PullAsync(version, target, new TarExtractionLimits { MaxBytes = 1000 }));
        Assert.Contains("more than 1000 bytes of files (the extraction limit), reached at entry 'b.txt'", bytes.Message, StringComparison.Ordinal);
        var entries = await Assert.ThrowsAsync<InvalidDataException>(() => _client.PullAsync(version, target, new TarExtractionLimits { MaxEntries = 3 }));
        Assert.Contains("more than 3 entries", entries.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));

        Assert.Equal(3, (await _client.PullAsync(version, target, new TarExtractionLimits { MaxEntries = 4, MaxBytes = 1203 })).Count);
    }

    private async Task<RegistryModelVersion> PushTarAsync(TarEntry[] entries)
    {
        var tar = HostileTar.Write(Path.Combine(_registry.Directory, "tars", $"{++_versions}.tar"), [1, 2, 3], entries);
        var upload = await _client.UploadFileAsync(tar);
        return await _client.CreateVersionAsync("m", new NewModelVersion
        {
            Artifact = new RegistryArtifact { Sha256 = upload.Sha256, Size = upload.Size, Packing = RegistryArtifact.TarPacking },
        });
    }
}
