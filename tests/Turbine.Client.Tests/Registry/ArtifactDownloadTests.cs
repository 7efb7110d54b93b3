using System.Security.Cryptography;
using Turbine.Client.Registry;

namespace Turbine.Client.Tests.Registry;

public sealed class ArtifactDownloadTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "turbine-tests", "download-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task ToFileAsync_MatchingDigest_WritesFileAndReplacesAnOldOne()
    {
        var bytes = RandomNumberGenerator.GetBytes(3 << 20);
        var digest = Convert.ToHexString(SHA256.HashData(bytes)); // uppercase is accepted
        var target = Path.Combine(_folder, "a", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllTextAsync(target, "old");

        var written = await ArtifactDownload.ToFileAsync(new MemoryStream(bytes), digest, target, CancellationToken.None);

        Assert.Equal(bytes.Length, written);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target));
        Assert.Equal([target], Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ToFileAsync_DigestDiffers_ThrowsNamingBothAndWritesNothing()
    {
        var bytes = RandomNumberGenerator.GetBytes(1000);
        var wrong = new string('e', 64);
        var target = Path.Combine(_folder, "model.onnx");

        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => ArtifactDownload.ToFileAsync(new MemoryStream(bytes), wrong, target, CancellationToken.None));

        Assert.Contains(wrong, error.Message, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(bytes)), error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));
    }

    [Fact]
    public async Task ToFileAsync_Cancelled_ThrowsAndWritesNothing()
    {
        var target = Path.Combine(_folder, "model.onnx");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => ArtifactDownload.ToFileAsync(new MemoryStream(new byte[10]), new string('0', 64), target, cts.Token));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256:0000")]
    [InlineData("gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggg")]
    public async Task ToFileAsync_MalformedDigest_ThrowsArgumentExceptionNamingIt(string digest)
    {
        var target = Path.Combine(_folder, "model.onnx");

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => ArtifactDownload.ToFileAsync(new MemoryStream(new byte[10]), digest, target, CancellationToken.None));

        Assert.Contains($"'{digest}'", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder), "a rejected download created its folder");
    }
}
