using System.Diagnostics;
using Turbine.Batch.Jobs;
using Turbine.Batch.Storage;

namespace Turbine.Batch.Tests.Storage;

/// <summary>Inputs, parts and manifests are opened only when lstat says regular file: a FIFO must not block a job.</summary>
public sealed class LocalBatchStoreTests(BatchFixture fixture) : IClassFixture<BatchFixture>
{
    private static readonly LocalBatchStore Local = new();

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    [Fact]
    public async Task OpenReadAsync_FifoLinkFolderOrDevice_IsRefusedWithoutBlocking()
    {
        using var folder = new TempFolder("turbine-batch-store");
        var regular = folder.File("in.csv");
        await File.WriteAllTextAsync(regular, "id\n1\n");
        var fifo = folder.File("fifo.csv");
        MakeFifo(fifo);
        var link = folder.File("link.csv");
        File.CreateSymbolicLink(link, regular);

        // No writer ever opens the FIFO: a plain open would block here forever; the test's own timeout proves it does not.
        var e = await Assert.ThrowsAsync<IOException>(() => Local.OpenReadAsync(fifo, false, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("FIFO", e.Message, StringComparison.Ordinal);
        e = await Assert.ThrowsAsync<IOException>(() => Local.OpenReadAsync(link, false, CancellationToken.None));
        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        e = await Assert.ThrowsAsync<IOException>(() => Local.OpenReadAsync(folder.Path, false, CancellationToken.None));
        Assert.Contains("a folder", e.Message, StringComparison.Ordinal);
        e = await Assert.ThrowsAsync<IOException>(() => Local.OpenReadAsync("/dev/zero", false, CancellationToken.None));
        Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<FileNotFoundException>(() => Local.OpenReadAsync(folder.File("missing.csv"), false, CancellationToken.None));

        await using var stream = await Local.OpenReadAsync(regular, false, CancellationToken.None);
        using var reader = new StreamReader(stream);
        Assert.Equal("id\n1\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task RunAsync_InputIsAFifo_FailsWithAClearErrorInsteadOfBlocking()
    {
        using var folder = new TempFolder("turbine-batch-store");
        var fifo = folder.File("in.csv");
        MakeFifo(fifo);
        var job = new BatchJob(new BatchJobOptions { Input = fifo, Output = folder.File("out.csv") }, Local, Local, fixture.Scorer("simple"));

        var e = await Assert.ThrowsAsync<IOException>(() => job.RunAsync(null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains($"'{fifo}' is a FIFO, socket or device, not a regular file", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder.File("out.csv.parts")));
    }

    [Fact]
    public async Task ReadTextAsync_ManifestReplacedByAFifo_IsRefused()
    {
        using var folder = new TempFolder("turbine-batch-store");
        var manifest = folder.File("manifest-0-of-1.json");
        MakeFifo(manifest);

        var e = await Assert.ThrowsAsync<IOException>(() => Local.ReadTextAsync(manifest, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);
        Assert.Null(await Local.ReadTextAsync(folder.File("absent.json"), CancellationToken.None));
    }
}
