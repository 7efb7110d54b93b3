using System.Diagnostics;
using Turbine.Features.Definitions;
using Turbine.Features.Sources;

namespace Turbine.Features.Tests;

/// <summary>Sources are opened only when lstat says they are regular files: a FIFO would block the read forever.</summary>
public sealed class SourceFileTests
{
    [Fact]
    public void Files_FifoOrLink_RefusedOrSkipped_RegularFileListed()
    {
        using var folder = new TempFolder("turbine-features-source");
        var regular = folder.File("a.csv");
        File.WriteAllText(regular, "id\n1\n");
        var fifo = folder.File("b.csv");
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var link = folder.File("c.csv");
        File.CreateSymbolicLink(link, regular);

        var e = Assert.Throws<FeatureRepoException>(() => SourceReader.Files(fifo, SourceFormat.Csv));
        Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<FeatureRepoException>(() => SourceReader.Files(link, SourceFormat.Csv));
        Assert.Contains("a link", e.Message, StringComparison.Ordinal);
        Assert.Equal([regular], SourceReader.Files(folder.Path, SourceFormat.Csv));
    }
}
