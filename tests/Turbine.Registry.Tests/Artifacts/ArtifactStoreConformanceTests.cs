using System.Security.Cryptography;
using Turbine.Client.Registry;
using Turbine.Registry.Artifacts;

namespace Turbine.Registry.Tests.Artifacts;

/// <summary>
/// The contract of <see cref="IArtifactStore"/>, run against every implementation (file system, S3 on s3rver).
/// </summary>
public abstract class ArtifactStoreConformanceTests
{
    private const long Large = 64L << 20;

    /// <summary>A fresh, empty store (its own folder, or its own key prefix).</summary>
    protected abstract IArtifactStore CreateStore();

    /// <summary>
    /// What an upload left that it should not have: temp files, temp objects, unfinished multipart uploads. Empty
    /// when the store is clean.
    /// </summary>
    protected abstract Task<IReadOnlyList<string>> LeftoversAsync(IArtifactStore store);

    /// <summary>Bytes of in-progress uploads currently written out of the process (temp files or parts).</summary>
    protected abstract long InFlightBytes(IArtifactStore store);

    [Fact]
    public async Task PutAsync_64MiBGeneratedStream_StreamsThroughAndReadsBackByteForByte()
    {
        var store = CreateStore();
        long? outOfProcessAtThreeQuarters = null;
        var source = new GeneratedStream(Large, seed: 1)
        {
            TriggerAt = Large * 3 / 4,
            AtTrigger = () => outOfProcessAtThreeQuarters = InFlightBytes(store),
        };
        var expected = GeneratedStream.Sha256(Large, seed: 1);

        var blob = await store.PutAsync(source, expectedSha256: null, maxBytes: null, CancellationToken.None);

        Assert.Equal(new ArtifactBlob(expected, Large), blob);
        Assert.Equal(Large, source.Delivered);
        // Streamed: when three quarters had been read, (nearly) all of it was already out of the process, and no
        // single read asked for more than a few MiB.
        Assert.NotNull(outOfProcessAtThreeQuarters);
        Assert.InRange(outOfProcessAtThreeQuarters.Value, (Large * 3 / 4) - (16L << 20), Large * 3 / 4);
        Assert.InRange(source.LargestRead, 1, 16 << 20);
        Assert.True(source.Reads >= 4, $"expected the source to be read in several pieces, got {source.Reads} read(s)");
        Assert.Equal(blob, await store.StatAsync(expected, CancellationToken.None));

        await using var read = await store.OpenReadAsync(expected, CancellationToken.None);
        Assert.Equal(expected, await Sha256Async(read));
        Assert.Empty(await LeftoversAsync(store));
    }

    [Fact]
    public async Task PutAsync_MatchingDigest_StoresUnderIt()
    {
        var store = CreateStore();
        var bytes = GeneratedStream.Bytes(100_000, seed: 2);
        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));

        // Uppercase is accepted and normalised.
        var blob = await store.PutAsync(new MemoryStream(bytes), digest.ToUpperInvariant(), maxBytes: 100_000, CancellationToken.None);

        Assert.Equal(new ArtifactBlob(digest, bytes.Length), blob);
        Assert.Equal(bytes, await ReadAllAsync(store, digest));
    }

    [Fact]
    public async Task PutAsync_EmptyContent_StoresEmptyBlob()
    {
        var store = CreateStore();
        var empty = Convert.ToHexStringLower(SHA256.HashData([]));

        var blob = await store.PutAsync(new MemoryStream(), empty, maxBytes: 0, CancellationToken.None);

        Assert.Equal(new ArtifactBlob(empty, 0), blob);
        Assert.Empty(await ReadAllAsync(store, empty));
    }

    [Fact]
    public async Task PutAsync_DigestMismatch_ThrowsAndLeavesNothing()
    {
        var store = CreateStore();
        var bytes = GeneratedStream.Bytes(3_000_000, seed: 3);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var declared = new string('a', 64);

        var error = await Assert.ThrowsAsync<ArtifactDigestMismatchException>(
            () => store.PutAsync(new MemoryStream(bytes), declared, maxBytes: null, CancellationToken.None));

        Assert.Equal(declared, error.Expected);
        Assert.Equal(actual, error.Actual);
        Assert.Contains(declared, error.Message, StringComparison.Ordinal);
        Assert.Null(await store.StatAsync(actual, CancellationToken.None));
        Assert.Null(await store.StatAsync(declared, CancellationToken.None));
        Assert.Empty(await LeftoversAsync(store));
    }

    [Fact]
    public async Task PutAsync_OverSizeLimit_ThrowsAndLeavesNothing()
    {
        var store = CreateStore();
        var source = new GeneratedStream(10L << 20, seed: 4);

        var error = await Assert.ThrowsAsync<ArtifactTooLargeException>(
            () => store.PutAsync(source, expectedSha256: null, maxBytes: 5L << 20, CancellationToken.None));

        Assert.Equal(5L << 20, error.Limit);
        // It stopped reading soon after the limit instead of draining the whole source.
        Assert.InRange(source.Delivered, (5L << 20) + 1, 7L << 20);
        Assert.Null(await store.StatAsync(GeneratedStream.Sha256(10L << 20, seed: 4), CancellationToken.None));
        Assert.Empty(await LeftoversAsync(store));
    }

    [Fact]
    public async Task PutAsync_ExactlyAtSizeLimit_Stores()
    {
        var store = CreateStore();

        var blob = await store.PutAsync(new GeneratedStream(1000, seed: 5), expectedSha256: null, maxBytes: 1000, CancellationToken.None);

        Assert.Equal(new ArtifactBlob(GeneratedStream.Sha256(1000, seed: 5), 1000), blob);
    }

    [Fact]
    public async Task PutAsync_SourceFailsHalfWay_LeavesNothingAndALaterPutWorks()
    {
        var store = CreateStore();
        const long length = 24L << 20;
        var digest = GeneratedStream.Sha256(length, seed: 6);
        var broken = new GeneratedStream(length, seed: 6)
        {
            TriggerAt = length / 2,
            AtTrigger = () => throw new IOException("connection reset by peer (simulated)"),
        };

        var error = await Assert.ThrowsAsync<IOException>(() => store.PutAsync(broken, digest, maxBytes: null, CancellationToken.None));

        Assert.Contains("simulated", error.Message, StringComparison.Ordinal);
        Assert.Null(await store.StatAsync(digest, CancellationToken.None));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => store.OpenReadAsync(digest, CancellationToken.None));
        Assert.Empty(await LeftoversAsync(store));

        var blob = await store.PutAsync(new GeneratedStream(length, seed: 6), digest, maxBytes: null, CancellationToken.None);

        Assert.Equal(new ArtifactBlob(digest, length), blob);
        await using var read = await store.OpenReadAsync(digest, CancellationToken.None);
        Assert.Equal(digest, await Sha256Async(read));
        Assert.Empty(await LeftoversAsync(store));
    }

    [Fact]
    public async Task PutAsync_CancelledHalfWay_ThrowsAndLeavesNothing()
    {
        var store = CreateStore();
        const long length = 24L << 20;
        using var cts = new CancellationTokenSource();
        var source = new GeneratedStream(length, seed: 7)
        {
            TriggerAt = length / 2,
            AtTrigger = cts.Cancel,
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.PutAsync(source, null, null, cts.Token));

        Assert.True(source.Delivered < length, "the upload went on reading after it was cancelled");
        Assert.Null(await store.StatAsync(GeneratedStream.Sha256(length, seed: 7), CancellationToken.None));
        Assert.Empty(await LeftoversAsync(store));
    }

    [Fact]
    public async Task PutAsync_ExistingContent_IsIdempotent()
    {
        var store = CreateStore();
        var bytes = GeneratedStream.Bytes(200_000, seed: 8);

        var first = await store.PutAsync(new MemoryStream(bytes), null, null, CancellationToken.None);
        var second = await store.PutAsync(new MemoryStream(bytes), first.Sha256, null, CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal(bytes, await ReadAllAsync(store, first.Sha256));
        // A wrong declared digest for existing content is still a mismatch, and leaves the stored blob alone.
        await Assert.ThrowsAsync<ArtifactDigestMismatchException>(
            () => store.PutAsync(new MemoryStream(bytes[..^1]), first.Sha256, null, CancellationToken.None));
        Assert.Equal(bytes, await ReadAllAsync(store, first.Sha256));
        Assert.Empty(await LeftoversAsync(store));
    }

    [Fact]
    public async Task PutAsync_ConcurrentPutsOfSameContent_AllSucceedWithOneBlob()
    {
        var store = CreateStore();
        const long length = 6L << 20;
        var digest = GeneratedStream.Sha256(length, seed: 9);

        var blobs = await Task.WhenAll(Enumerable.Range(0, 6).Select(
            _ => Task.Run(() => store.PutAsync(new GeneratedStream(length, seed: 9), digest, null, CancellationToken.None))));

        Assert.All(blobs, blob => Assert.Equal(new ArtifactBlob(digest, length), blob));
        Assert.Equal(new ArtifactBlob(digest, length), await store.StatAsync(digest, CancellationToken.None));
        await using var read = await store.OpenReadAsync(digest, CancellationToken.None);
        Assert.Equal(digest, await Sha256Async(read));
        Assert.Empty(await LeftoversAsync(store));
    }

    [Fact]
    public async Task OpenReadAsync_MissingBlob_ThrowsNotFoundAndStatIsNull()
    {
        var store = CreateStore();
        var missing = new string('0', 64);

        var error = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => store.OpenReadAsync(missing, CancellationToken.None));

        Assert.Equal(missing, error.Sha256);
        Assert.Null(await store.StatAsync(missing, CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAsync_StoredBlob_RemovesItAndSecondDeleteIsFalse()
    {
        var store = CreateStore();
        var blob = await store.PutAsync(new MemoryStream(GeneratedStream.Bytes(5000, seed: 10)), null, null, CancellationToken.None);

        Assert.True(await store.DeleteAsync(blob.Sha256, CancellationToken.None));

        Assert.Null(await store.StatAsync(blob.Sha256, CancellationToken.None));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => store.OpenReadAsync(blob.Sha256, CancellationToken.None));
        Assert.False(await store.DeleteAsync(blob.Sha256, CancellationToken.None));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    public async Task AllOperations_MalformedDigest_ThrowArgumentExceptionNamingIt(string digest)
    {
        var store = CreateStore();

        var errors = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => store.StatAsync(digest, CancellationToken.None)),
            await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(digest, CancellationToken.None)),
            await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(digest, CancellationToken.None)),
            await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(new MemoryStream([1]), digest, null, CancellationToken.None)),
        };

        Assert.All(errors, e => Assert.Contains(digest, e.Message, StringComparison.Ordinal));
        Assert.Empty(await LeftoversAsync(store));
    }

    [Fact]
    public async Task ArtifactDownloadToFileAsync_StoredBlob_WritesTheVerifiedFile()
    {
        var store = CreateStore();
        const long length = 20L << 20;
        var blob = await store.PutAsync(new GeneratedStream(length, seed: 11), null, null, CancellationToken.None);
        var folder = DownloadFolder();
        var target = Path.Combine(folder, "models", "model.onnx");

        long written;
        await using (var read = await store.OpenReadAsync(blob.Sha256, CancellationToken.None))
        {
            written = await ArtifactDownload.ToFileAsync(read, blob.Sha256, target, CancellationToken.None);
        }

        Assert.Equal(length, written);
        await using (var file = File.OpenRead(target))
        {
            Assert.Equal(blob.Sha256, await Sha256Async(file));
        }

        Assert.Equal([target], Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ArtifactDownloadToFileAsync_CorruptedTransfer_ThrowsAndKeepsTheOldFileOnly()
    {
        var store = CreateStore();
        const long length = 3L << 20;
        var blob = await store.PutAsync(new GeneratedStream(length, seed: 12), null, null, CancellationToken.None);
        var folder = DownloadFolder();
        var target = Path.Combine(folder, "model.onnx");
        await File.WriteAllTextAsync(target, "previous version");

        InvalidDataException error;
        await using (var read = new CorruptingStream(await store.OpenReadAsync(blob.Sha256, CancellationToken.None), corruptAt: length / 2))
        {
            error = await Assert.ThrowsAsync<InvalidDataException>(
                () => ArtifactDownload.ToFileAsync(read, blob.Sha256, target, CancellationToken.None));
        }

        Assert.Contains(blob.Sha256, error.Message, StringComparison.Ordinal);
        Assert.Equal("previous version", await File.ReadAllTextAsync(target));
        Assert.Equal([target], Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ArtifactDownloadToFileAsync_TruncatedTransfer_ThrowsAndWritesNothing()
    {
        var store = CreateStore();
        var bytes = GeneratedStream.Bytes(100_000, seed: 13);
        var blob = await store.PutAsync(new MemoryStream(bytes), null, null, CancellationToken.None);
        var folder = DownloadFolder();
        var target = Path.Combine(folder, "model.onnx");

        await Assert.ThrowsAsync<InvalidDataException>(
            () => ArtifactDownload.ToFileAsync(new MemoryStream(bytes[..50_000]), blob.Sha256, target, CancellationToken.None));

        Assert.False(Directory.EnumerateFileSystemEntries(folder).Any(), "a failed download left a file behind");
    }

    /// <summary>A new, empty folder for downloads, removed with the test's other temp data.</summary>
    protected abstract string DownloadFolder();

    protected static async Task<string> Sha256Async(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task<byte[]> ReadAllAsync(IArtifactStore store, string sha256)
    {
        await using var stream = await store.OpenReadAsync(sha256, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
