using System.Text;
using System.Text.Json;
using Turbine.Core.Payloads;

namespace Turbine.Server.Tests.Payloads;

/// <summary>Payload logging through the real server: REST requests, the file sink, the CloudEvents sink, the drop counter.</summary>
public sealed class PayloadLogServerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "turbine-payload-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Infer_200RestRequestsOver8Callers_FilesAndCollectorHoldEveryRequest()
    {
        await using var receiver = await CloudEventsReceiver.StartAsync();
        var harness = await ServerHarness.StartAsync(
            prepare: repo => File.AppendAllText(Path.Combine(repo, "simple", "config.pbtxt"),
                "\nparameters { key: \"payload_log\" value: { string_value: \"all\" } }\n"),
            configure: o => o with { PayloadLogDirectory = _dir, PayloadLogMaxFileBytes = 64 * 1024, PayloadLogUrl = receiver.Url });
        const int sent = 200;
        string metrics;
        await using (harness)
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < sent)
                {
                    var (status, _) = await harness.PostJsonAsync("v2/models/simple/infer", ServerHarness.SimpleJson(i, id: "rest-" + i));
                    Assert.Equal(200, status);
                }
            })));
            var (badStatus, _) = await harness.PostJsonAsync("v2/models/simple/infer",
                "{\"id\":\"bad\",\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,15],\"datatype\":\"INT32\",\"data\":[" + string.Join(",", Enumerable.Range(0, 15)) + "]}]}");
            Assert.Equal(400, badStatus);
            using var http = new HttpClient();
            metrics = await http.GetStringAsync(harness.Server.MetricsAddress);
        }

        // Disposing the server flushed the log: every request is in the files, and the collector got them all.
        var expected = Enumerable.Range(0, sent).Select(i => "rest-" + i).Append("bad").Order(StringComparer.Ordinal).ToList();
        var records = FilePayloadSink.ListFiles(_dir).SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(expected, records.Select(r => r.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        Assert.True(FilePayloadSink.ListFiles(_dir).Length > 1, "64 KiB files should have rotated");
        var bad = records.Single(r => r.GetProperty("id").GetString() == "bad");
        Assert.Equal("InvalidArgument", bad.GetProperty("status").GetString());
        Assert.Contains("INPUT", bad.GetProperty("error").GetString(), StringComparison.Ordinal);

        Assert.All(receiver.Batches, b => Assert.Equal(HttpPayloadSink.ContentType, b.ContentType));
        var events = receiver.Events.ToList();
        Assert.Equal(expected, events.Select(e => e.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        var first = events[0];
        Assert.Equal(("1.0", "ai.turbine.inference.payload", "turbine/simple"),
            (first.GetProperty("specversion").GetString(), first.GetProperty("type").GetString(), first.GetProperty("source").GetString()));
        Assert.Equal(first.GetProperty("id").GetString(), first.GetProperty("data").GetProperty("id").GetString());
        Assert.Contains("\nturbine_payload_log_dropped_total 0\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_CollectorFailsTwice_RetriesThenDelivers()
    {
        await using var receiver = await CloudEventsReceiver.StartAsync(failFirst: 2);
        await using var sink = new HttpPayloadSink(receiver.Url, maxAttempts: 3, initialBackoff: TimeSpan.FromMilliseconds(10));
        var record = new PayloadRecord { RequestId = "r1", Model = "m" };
        record.Json = Encoding.UTF8.GetBytes("{\"id\":\"r1\"}");

        await sink.WriteAsync([record], CancellationToken.None);

        Assert.Equal(3, receiver.Posts);
        Assert.Equal("r1", Assert.Single(receiver.Events).GetProperty("data").GetProperty("id").GetString());
        Assert.Equal(0, sink.AbandonedRecords);
    }

    [Fact]
    public async Task WriteAsync_CollectorAlwaysFails_GivesUpAfterMaxAttempts()
    {
        await using var receiver = await CloudEventsReceiver.StartAsync(failFirst: 100);
        await using var sink = new HttpPayloadSink(receiver.Url, maxAttempts: 3, initialBackoff: TimeSpan.FromMilliseconds(10));
        var record = new PayloadRecord { RequestId = "r1", Model = "m" };
        record.Json = Encoding.UTF8.GetBytes("{\"id\":\"r1\"}");

        await sink.WriteAsync([record, record], CancellationToken.None);

        Assert.Equal((3, 2L), (receiver.Posts, sink.AbandonedRecords));
    }
}
