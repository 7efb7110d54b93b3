using System.Text;
using Turbine.Control.Runtime;

namespace Turbine.Control.Tests.Runtime;

public sealed class ReplicaLogFileTests : IDisposable
{
    private readonly TempFolder _temp = new("turbine-replica-log-test");

    public void Dispose() => _temp.Dispose();

    private string WriteLines(int count)
    {
        var text = new StringBuilder();
        for (var i = 1; i <= count; i++)
        {
            text.Append("line ").Append(i).Append('\n');
        }

        return _temp.Write(ReplicaLogFile.FileName, Encoding.UTF8.GetBytes(text.ToString()));
    }

    [Fact]
    public void Tail_FewerLinesThanTheFile_TheNewestInOrder()
    {
        var path = WriteLines(100);
        Assert.Equal(["line 98", "line 99", "line 100"], ReplicaLogFile.Tail(path, 3, 4096));
    }

    [Fact]
    public void Tail_MoreLinesThanFitTheByteBound_OnlyWholeLinesFromTheLastBytes()
    {
        var path = WriteLines(10_000);
        var tail = ReplicaLogFile.Tail(path, 10_000, 1024);
        Assert.InRange(tail.Sum(l => l.Length + 1), 1, 1024);
        Assert.Equal("line 10000", tail[^1]);
        Assert.All(tail, l => Assert.Matches("^line [0-9]+$", l)); // no partial first line
    }

    [Fact]
    public void Tail_NoFileOrASymlink_Empty()
    {
        Assert.Empty(ReplicaLogFile.Tail(_temp.File("missing.log"), 5, 1024));
        var target = WriteLines(5);
        var link = _temp.File("link.log");
        File.CreateSymbolicLink(link, target);
        Assert.Empty(ReplicaLogFile.Tail(link, 5, 1024));
    }

    [Fact]
    public void RotateIfLarge_OverTheCap_KeepsTheNewestBytesInTheOldFileAndEmptiesTheLog()
    {
        var path = WriteLines(1000);
        var size = new FileInfo(path).Length;
        Assert.False(ReplicaLogFile.RotateIfLarge(path, size));
        Assert.True(ReplicaLogFile.RotateIfLarge(path, 4096));
        Assert.Equal(0, new FileInfo(path).Length);
        Assert.Equal(4096, new FileInfo(path + ".1").Length);
        Assert.Equal("line 1000", ReplicaLogFile.Tail(path + ".1", 1, 4096)[0]);
    }

    [Fact]
    public void ReadFrom_Offset_OnlyWhatWasWrittenAfterIt()
    {
        var path = WriteLines(2);
        var offset = new FileInfo(path).Length;
        File.AppendAllText(path, "after\n");
        Assert.Equal("after\n", ReplicaLogFile.ReadFrom(path, offset, 1024));
    }
}
