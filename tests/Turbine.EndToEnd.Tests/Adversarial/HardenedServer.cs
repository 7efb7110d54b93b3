using System.Text;
using System.Text.Json;
using Turbine.Samples;

namespace Turbine.EndToEnd.Tests.Adversarial;

/// <summary>
/// One real <c>turbine serve</c> process for the adversarial suite, run the way an exposed deployment would be:
/// the sample models, request size limits far below the machine's memory, and the managed heap capped with
/// <c>DOTNET_GCHeapHardLimit</c>, so an input that makes the server allocate in proportion to what an attacker
/// declares (rather than to what it may keep) fails with an out-of-memory error in the test instead of taking
/// the machine. Tests also watch the process's resident memory (VmRSS / VmHWM).
/// </summary>
public sealed class HardenedServer : IAsyncLifetime
{
    /// <summary>The managed heap cap: room for the sample models, the body budget and what Kestrel's block pool keeps after a burst; far below what the attacks would allocate if they were not refused (8 GiB of bombs, over 2 GiB of parsed typed contents).</summary>
    public const long HeapLimitBytes = 768L * 1024 * 1024;

    /// <summary>The body and message limit the server is started with.</summary>
    public const long MaxBodyBytes = 64L * 1024 * 1024;

    /// <summary>The most resident memory the process may reach at any time during the suite.</summary>
    public const long PeakResidentLimitBytes = 1536L * 1024 * 1024;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-e2e-adv", Guid.NewGuid().ToString("N"));
    private TurbineProcess? _process;

    public Uri Http { get; private set; } = null!;

    public Uri Grpc { get; private set; } = null!;

    public int Pid => _process!.Pid;

    public string Output => _process!.Output;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var repo = Path.Combine(_root, "repo");
        SampleRepository.CreateModel(repo, "simple");
        SampleRepository.CreateModel(repo, "simple_string");
        SampleRepository.CreateModel(repo, "identity_fp32");
        _process = TurbineProcess.Start(
            ["serve", "--model-repository", repo, "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0",
             "--http-max-body-bytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--grpc-max-message-bytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
             // The body budget an operator gives this heap: room for one body at the limit while it doubles (32 + 64
             // MiB), and headroom for what Kestrel's block pool keeps after a burst (docs/security.md).
             "--max-inflight-body-bytes", (96L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--exit-timeout-secs", "5"],
            new Dictionary<string, string>
            {
                ["DOTNET_GCHeapHardLimit"] = "0x" + HeapLimitBytes.ToString("X", System.Globalization.CultureInfo.InvariantCulture),
                // Return freed memory to the OS promptly, as a container deployment would configure it.
                ["DOTNET_GCConserveMemory"] = "5",
            });
        Http = await _process.WaitForReadyAsync(TimeSpan.FromSeconds(90));
        Grpc = _process.GrpcAddress!;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = Http, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>
    /// The process is alive, ready, answers a real inference correctly, has never passed the resident-memory bound,
    /// and has not logged an unhandled exception.
    /// </summary>
    public async Task AssertHealthyAsync()
    {
        Assert.True(_process!.IsRunning, "the server process exited:\n" + Output);
        using (var ready = await Client.GetAsync("v2/health/ready"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        }

        using (var response = await Client.PostAsync("v2/models/simple/infer", new StringContent(SimpleJson(7), Encoding.UTF8, "application/json")))
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            using var doc = JsonDocument.Parse(text);
            Assert.Equal(8, doc.RootElement.GetProperty("outputs")[0].GetProperty("data")[0].GetInt32());
        }

        var peak = ProcessMemory.PeakResidentBytes(Pid);
        Assert.True(peak < PeakResidentLimitBytes, $"peak resident memory {peak >> 20} MiB passed {PeakResidentLimitBytes >> 20} MiB");
        var oom = Output.IndexOf("OutOfMemoryException", StringComparison.Ordinal);
        Assert.True(oom < 0, "the server ran out of memory:\n" + (oom < 0 ? "" : Output.Substring(Math.Max(0, oom - 300), Math.Min(2500, Output.Length - Math.Max(0, oom - 300)))));
        Assert.DoesNotContain("Unhandled exception", Output, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A valid JSON request for <c>simple</c>: INPUT0 = offset..offset+15, INPUT1 = 1s.</summary>
    public static string SimpleJson(int offset) =>
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[" +
        string.Join(',', Enumerable.Range(offset, 16)) +
        "]},{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[" +
        string.Join(',', Enumerable.Repeat(1, 16)) + "]}]}";

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
