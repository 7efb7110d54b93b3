using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Turbine.Protocol.Telemetry;
using Turbine.Server.Telemetry;

namespace Turbine.Server.Tests.Telemetry;

/// <summary>
/// Triton's <c>nv_gpu_*</c> metrics. No GPU exists where these tests run, so the formatting is checked with a reader
/// that returns set values (the only stand-in: it replaces NVML, not the server); NVML's absence is checked for real.
/// </summary>
public sealed class GpuMetricsTests
{
    [Fact]
    public async Task Scrape_TwoGpus_TritonGpuFamiliesOneSeriesPerUuid()
    {
        var reader = new SetGpus(
            new GpuSample("GPU-5f2e7a0c-1111-2222-3333-444455556666", 0.42, 1_073_741_824, 85_899_345_920, 71.5),
            new GpuSample("GPU-9b1d0e3f-aaaa-bbbb-cccc-ddddeeeeffff", 0, 524_288, 85_899_345_920, null));
        await using var harness = await ServerHarness.StartAsync(services: s => s.AddSingleton<IGpuStatsReader>(reader));

        var scrape = await MetricsScrape.GetAsync(harness.Server);

        var a = ("gpu_uuid", "GPU-5f2e7a0c-1111-2222-3333-444455556666");
        var b = ("gpu_uuid", "GPU-9b1d0e3f-aaaa-bbbb-cccc-ddddeeeeffff");
        Assert.Equal(0.42, scrape.Sum("nv_gpu_utilization", a));
        Assert.Equal(1_073_741_824, scrape.Sum("nv_gpu_memory_used_bytes", a));
        Assert.Equal(85_899_345_920, scrape.Sum("nv_gpu_memory_total_bytes", a));
        Assert.Equal(71.5, scrape.Sum("nv_gpu_power_usage", a));
        Assert.Equal(524_288, scrape.Sum("nv_gpu_memory_used_bytes", b));
        Assert.Equal(2, scrape.Samples.Count(x => x.Name == "nv_gpu_utilization"));
        // A value NVML could not read is left out, not written as 0.
        Assert.Single(scrape.Samples, x => x.Name == "nv_gpu_power_usage");
        Assert.Contains("# TYPE nv_gpu_utilization gauge\n", scrape.Text, StringComparison.Ordinal);
        Assert.Contains("nv_gpu_memory_total_bytes{gpu_uuid=\"GPU-5f2e7a0c-1111-2222-3333-444455556666\"} 85899345920\n", scrape.Text, StringComparison.Ordinal);
        Assert.True(reader.Reads >= 1);
    }

    [Fact]
    public void Write_NoGpu_NoGpuFamilies()
    {
        var w = new PrometheusText();

        GpuMetrics.Write(w, []);

        Assert.Equal("", w.ToString());
    }

    [Fact]
    public void NvmlReader_LibraryAbsent_NoSamplesAndOneInfoLog()
    {
        using var logs = new LogRecorder();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));

        using var reader = new NvmlGpuStatsReader(factory.CreateLogger("Turbine.Gpu"), "libnvidia-ml-absent-in-this-test.so.1");

        Assert.Empty(reader.Read());
        var entry = Assert.Single(logs.Snapshot());
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal(320, entry.EventId.Id);
        Assert.Contains("libnvidia-ml-absent-in-this-test.so.1", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NvmlReader_LibraryWithoutNvmlCalls_NoSamplesAndOneInfoLog()
    {
        using var logs = new LogRecorder();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));

        // A real shared library that loads but is not NVML: the reader must find the calls missing and stay quiet after.
        using var reader = new NvmlGpuStatsReader(factory.CreateLogger("Turbine.Gpu"), "libc.so.6");

        Assert.Empty(reader.Read());
        var entry = Assert.Single(logs.Snapshot());
        Assert.Equal(321, entry.EventId.Id);
        Assert.Equal("GPU metrics: NVML could not start (dlsym: libc.so.6 lacks an NVML call this reader uses), so there are no nv_gpu_* metrics", entry.Message);
    }

    private sealed class SetGpus(params GpuSample[] gpus) : IGpuStatsReader
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public IReadOnlyList<GpuSample> Read()
        {
            Interlocked.Increment(ref _reads);
            return gpus;
        }
    }
}
