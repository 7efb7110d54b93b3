using System.Text;
using Microsoft.Extensions.Time.Testing;
using Turbine.Core.Payloads;

namespace Turbine.Core.Tests.Payloads;

public sealed class FilePayloadSinkTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "turbine-payload-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static PayloadRecord Record(int i)
    {
        var record = new PayloadRecord { RequestId = "id-" + i, Model = "m" };
        record.Json = Encoding.UTF8.GetBytes($"{{\"id\":\"id-{i}\",\"pad\":\"{new string('x', 80)}\"}}");
        return record;
    }

    [Fact]
    public async Task WriteAsync_PastMaxFileBytes_RotatesAndKeepsNewestMaxFiles()
    {
        await using var sink = new FilePayloadSink(_dir, maxFileBytes: 250, maxFiles: 3);

        for (var i = 0; i < 20; i++)
        {
            await sink.WriteAsync([Record(i)], CancellationToken.None);
        }

        await sink.DisposeAsync();
        var files = FilePayloadSink.ListFiles(_dir);
        Assert.Equal(3, files.Length);
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 250, $"{f} is {new FileInfo(f).Length} bytes"));
        var lines = files.SelectMany(File.ReadAllLines).ToList();
        Assert.Equal(Enumerable.Range(14, 6).Select(i => $"id-{i}"), lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task WriteAsync_AfterRotateInterval_StartsNewFile()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var sink = new FilePayloadSink(_dir, rotateInterval: TimeSpan.FromMinutes(10), timeProvider: time);

        await sink.WriteAsync([Record(0), Record(1)], CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(10));
        await sink.WriteAsync([Record(2)], CancellationToken.None);
        await sink.DisposeAsync();

        var files = FilePayloadSink.ListFiles(_dir);
        Assert.Equal([2, 1], files.Select(f => File.ReadAllLines(f).Length));
        Assert.Contains("20260101T001000000Z", Path.GetFileName(files[1]), StringComparison.Ordinal);
    }
}
