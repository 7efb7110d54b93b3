using System.Text.Json;

namespace Turbine.EndToEnd.Tests;

/// <summary><c>turbine bench</c> as a real process against a real <c>turbine serve</c>.</summary>
public sealed class BenchTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-e2e", Guid.NewGuid().ToString("N"));
    private TurbineProcess? _server;
    private Uri? _http;

    public async Task InitializeAsync()
    {
        var repo = Path.Combine(_root, "repo");
        var (code, output) = await TurbineProcess.RunAsync("samples", "create", repo);
        Assert.True(code == 0, output);
        _server = TurbineProcess.Start(["serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"]);
        _http = await _server.WaitForReadyAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData("http")]
    [InlineData("grpc")]
    public async Task Bench_ConcurrencySweep_JsonWithTwoLevelsAndServerBreakdown(string protocol)
    {
        var url = protocol == "grpc" ? _server!.GrpcAddress! : _http!;
        var (code, output) = await TurbineProcess.RunAsync("bench", "-m", "simple", "-u", url.ToString(), "--protocol", protocol,
            "--concurrency-range", "1:2:1", "--measurement-interval", "300", "--max-trials", "4", "--format", "json");
        Assert.True(code == 0, output);
        using var doc = JsonDocument.Parse(JsonArrayOf(output));
        var levels = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, levels.Count);
        Assert.Equal([1.0, 2.0], levels.Select(l => l.GetProperty("level").GetDouble()));
        foreach (var level in levels)
        {
            Assert.Equal("concurrency", level.GetProperty("mode").GetString());
            Assert.True(level.GetProperty("throughput_infer_per_sec").GetDouble() > 0, output);
            Assert.True(level.GetProperty("latency_p50_us").GetDouble() > 0, output);
            Assert.Equal(0, level.GetProperty("errors").GetInt64());
            var server = level.GetProperty("server");
            Assert.True(server.GetProperty("compute_infer_us").GetDouble() > 0, output);
            Assert.True(server.GetProperty("batch_sizes").EnumerateObject().Any(), output);
            Assert.Equal(protocol == "http" ? JsonValueKind.Number : JsonValueKind.Null, level.GetProperty("client_send_us").ValueKind);
        }
    }

    [Fact]
    public async Task Bench_BatchSizeAboveModelMax_OneLineErrorNamingTheLimit()
    {
        var (code, output) = await TurbineProcess.RunAsync("bench", "-m", "simple", "-u", _http!.ToString(), "--batch-size", "9");
        Assert.Equal(1, code);
        Assert.Contains("turbine: error: --batch-size 9: the model's max_batch_size is 8", output);
    }

    [Fact]
    public async Task Bench_BadRange_ExitCode2()
    {
        var (code, output) = await TurbineProcess.RunAsync("bench", "-m", "simple", "--concurrency-range", "4:1");
        Assert.Equal(2, code);
        Assert.Contains("--concurrency-range '4:1'", output);
    }

    /// <summary>The JSON array on stdout (the combined output may hold stderr lines around it).</summary>
    private static string JsonArrayOf(string output)
    {
        var start = output.IndexOf("[\n", StringComparison.Ordinal);
        var end = output.LastIndexOf("\n]", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, output);
        return output[start..(end + 2)];
    }
}
