using System.Buffers.Binary;
using Turbine.Core.Payloads;
using Turbine.Core.Tensors;
using Turbine.Monitoring.Online;
using Turbine.Monitoring.Profiles;

namespace Turbine.Monitoring.Tests.Online;

public sealed class PayloadSinkTests
{
    private static PayloadTensor Fp32(string name, long[] shape, params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return new PayloadTensor(name, TensorDataType.FP32, shape, bytes, values.Length, truncated: false, redacted: false);
    }

    [Fact]
    public async Task PayloadRecords_BecomeObservations_MatrixInputByProfileOrder()
    {
        var profile = ProfileBuilder.Build(StreamData.Table(1, 300));
        await using var service = new MonitoringService();
        var monitor = service.Configure("tab", new MonitorSettings { Profile = profile, WindowRows = 2 });
        await using var sink = new MonitoringPayloadSink(service);

        // One [2, 3] matrix for a, b, c and a BYTES input named after the categorical feature.
        var colors = new byte[4 + 3 + 4 + 4];
        BinaryPrimitives.WriteInt32LittleEndian(colors, 3);
        "red"u8.CopyTo(colors.AsSpan(4));
        BinaryPrimitives.WriteInt32LittleEndian(colors.AsSpan(7), 4);
        "blue"u8.CopyTo(colors.AsSpan(11));
        var record = new PayloadRecord
        {
            RequestId = "req-1",
            Model = "tab",
            Version = 7,
            End = DateTimeOffset.UnixEpoch,
            Inputs = [Fp32("INPUT0", [2, 3], 0.5f, 10f, 0.25f, 99f, 11f, 0.75f), new PayloadTensor("color", TensorDataType.Bytes, [2], colors, 2, false, false)],
            Outputs = [Fp32("probabilities", [2, 2], 0.1f, 0.9f, 0.7f, 0.3f)],
        };
        var ignored = new PayloadRecord { RequestId = "req-2", Model = "not-monitored", Inputs = record.Inputs };
        await sink.WriteAsync([record, ignored], CancellationToken.None);
        await service.FlushAsync(TimeSpan.FromSeconds(30));

        var window = Assert.Single(monitor.Windows(7));
        Assert.Equal(2, window.Rows);
        Assert.Equal(1, window.Quality["a"][QualityIssues.OutOfRange]); // 99 is above the reference's max
        Assert.Equal(0, window.Quality["color"][QualityIssues.UnseenCategory]);
        Assert.False(window.Quality.ContainsKey("*"));
        Assert.Equal(FeedbackResult.Joined, monitor.Feedback("req-1", [1, 1]));
        Assert.Equal(0.5, monitor.Latest(7)!.Performance["accuracy"]);
        Assert.Equal(1, service.AcceptedCount);
    }
}
