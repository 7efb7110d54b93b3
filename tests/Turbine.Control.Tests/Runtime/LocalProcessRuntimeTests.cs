using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Turbine.Control.Runtime;
using Turbine.Control.Specs;
using Turbine.Control.Storage;
using Turbine.Samples;

namespace Turbine.Control.Tests.Runtime;

/// <summary>
/// The local runtime with real <c>turbine serve</c> children (the CLI built into the test output) serving the sample
/// <c>simple</c> model on free loopback ports. Every process a test starts is killed by pid in its finally block.
/// </summary>
public sealed class LocalProcessRuntimeTests : IDisposable
{
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(60);
    private readonly TempFolder _temp = new("turbine-runtime-test");
    private readonly List<int> _pids = [];

    private string Repository
    {
        get
        {
            var repository = Path.Combine(_temp.Path, "models");
            if (!Directory.Exists(Path.Combine(repository, "simple")))
            {
                SampleRepository.CreateModel(repository, "simple");
            }

            return repository;
        }
    }

    public void Dispose()
    {
        foreach (var pid in _pids)
        {
            // Only our replicas: the marker check keeps a reused pid safe.
            if (LocalProcessNative.IsRunning(pid) && File.Exists($"/proc/{pid}/environ")
                && File.ReadAllText($"/proc/{pid}/environ").Contains(LocalProcessNative.ReplicaIdVariable + "=", StringComparison.Ordinal))
            {
                LocalProcessNative.Signal(pid, LocalProcessNative.SigKill);
            }
        }

        _temp.Dispose();
    }

    private LocalRuntimeOptions Options(Func<LocalRuntimeOptions, LocalRuntimeOptions>? change = null)
    {
        var options = new LocalRuntimeOptions { WorkDirectory = Path.Combine(_temp.Path, "work"), StartTimeout = TimeSpan.FromSeconds(60) };
        return change is null ? options : change(options);
    }

    private static ReplicaLaunch Launch(string replicaId, ModelLocation location, string model = "simple") =>
        new("fraud", replicaId, new RevisionModel("fraud-v1", "1", [model], location), new PredictorSpec { Model = new ModelSpec(ModelFormat.Onnx, null, new FileStorageUri("file:///unused", "/unused"), null) });

    private async Task<ReplicaProcess> StartAsync(LocalProcessRuntime runtime, ReplicaLaunch launch)
    {
        var result = await runtime.StartAsync(launch, CancellationToken.None);
        Assert.True(result.IsOk, result.Error?.Message);
        _pids.Add(result.Value!.Pid);
        return result.Value!;
    }

    private static async Task<ReplicaProbe> ProbeUntilAsync(LocalProcessRuntime runtime, ReplicaProcess replica, Func<ReplicaProbe, bool> done)
    {
        ReplicaProbe last = new(ReplicaProbeState.Starting, "never probed");
        await Poll.UntilOrFailAsync(async () =>
        {
            last = await runtime.ProbeAsync(replica, CancellationToken.None);
            return done(last);
        }, ReadyDeadline, () => $"last probe: {last}; log:\n{string.Join('\n', replica.LogTail(40))}", TimeSpan.FromMilliseconds(100));
        return last;
    }

    [Fact]
    public async Task StartAsync_FolderModel_TurnsReadyServesInferenceAndStopsOnSigterm()
    {
        var coldStarts = new List<(string Phase, double Seconds)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Turbine.Control" && instrument.Name == "turbine.cold_start.seconds")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            lock (coldStarts)
            {
                var all = tags.ToArray();
                coldStarts.Add(((string)all.Single(t => t.Key == "deployment").Value! + "/" + (string)all.Single(t => t.Key == "phase").Value!, value));
            }
        });
        listener.Start();

        await using var runtime = new LocalProcessRuntime(Options());
        var replica = await StartAsync(runtime, Launch("r1", new FolderModelLocation(Repository)));
        Assert.True(LocalProcessNative.IsRunning(replica.Pid));
        Assert.NotEqual(replica.HttpPort, replica.GrpcPort);

        var ready = await ProbeUntilAsync(runtime, replica, p => p.State != ReplicaProbeState.Starting);
        Assert.Equal(ReplicaProbeState.Ready, ready.State);
        Assert.NotNull(ready.ColdStart);
        Assert.True(ready.ColdStart!.Total > TimeSpan.Zero);
        Assert.NotNull(ready.ColdStart.Load);
        Assert.Equal(TimeSpan.Zero, ready.ColdStart.Warmup); // the server reports warm-up; the sample has none
        Assert.Null(ready.ColdStart.Fetch); // a folder: nothing fetched
        Assert.Null((await runtime.ProbeAsync(replica, CancellationToken.None)).ColdStart); // only the first ready probe
        lock (coldStarts)
        {
            Assert.Contains(coldStarts, c => c.Phase == "fraud/total" && Math.Abs(c.Seconds - ready.ColdStart.Total.TotalSeconds) < 1e-9);
            Assert.Contains(coldStarts, c => c.Phase == "fraud/load"); // labelled with the replica's deployment
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{replica.HttpPort}/") };
        var a = Enumerable.Range(0, 16).ToArray();
        var b = Enumerable.Range(0, 16).Select(i => i * 10).ToArray();
        using var response = await http.PostAsJsonAsync("v2/models/simple/infer", new
        {
            inputs = new object[]
            {
                new { name = "INPUT0", shape = new[] { 1, 16 }, datatype = "INT32", data = a },
                new { name = "INPUT1", shape = new[] { 1, 16 }, datatype = "INT32", data = b },
            },
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var sum = json.RootElement.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "OUTPUT0");
        Assert.Equal(a.Zip(b, (x, y) => x + y), sum.GetProperty("data").EnumerateArray().Select(e => e.GetInt32()));

        // The replica's models are the controller's: unloading one needs a token only the replica's environment holds,
        // even from loopback (where the gateway's forwarded calls come from), with or without a caller's token.
        foreach (var token in new[] { null, "guess" })
        {
            using var unload = new HttpRequestMessage(HttpMethod.Post, "v2/repository/models/simple/unload") { Content = new StringContent("{}") };
            if (token is not null)
            {
                unload.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            }

            using var refused = await http.SendAsync(unload);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        Assert.Equal(ReplicaProbeState.Ready, (await runtime.ProbeAsync(replica, CancellationToken.None)).State);
        Assert.NotEmpty(replica.LogTail(20));
        await runtime.StopAsync(replica, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.False(LocalProcessNative.IsRunning(replica.Pid));
        var after = await runtime.ProbeAsync(replica, CancellationToken.None);
        Assert.Equal(ReplicaProbeState.Exited, after.State);
        Assert.StartsWith("exited with code 0", after.Message, StringComparison.Ordinal); // drained and exited by itself on SIGTERM
    }

    [Fact]
    public async Task StartAsync_ModelThatFailsToLoad_ExitsWithTheServersReason()
    {
        var repository = Path.Combine(_temp.Path, "broken");
        Directory.CreateDirectory(Path.Combine(repository, "broken", "1"));
        File.WriteAllText(Path.Combine(repository, "broken", "1", "model.onnx"), "this is not an onnx model");
        await using var runtime = new LocalProcessRuntime(Options());

        var result = await runtime.StartAsync(Launch("r1", new FolderModelLocation(repository), "broken"), CancellationToken.None);
        if (result.IsOk)
        {
            _pids.Add(result.Value!.Pid);
        }

        Assert.False(result.IsOk);
        Assert.Equal(ControlErrorKind.Unavailable, result.Error!.Kind);
        Assert.Contains("exited at start with code 1", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("broken", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_ModelThatFailsToLoadWithoutExitOnError_NeverReadyAndSaysWhy()
    {
        var repository = Path.Combine(_temp.Path, "broken");
        Directory.CreateDirectory(Path.Combine(repository, "broken", "1"));
        File.WriteAllText(Path.Combine(repository, "broken", "1", "model.onnx"), "this is not an onnx model");
        await using var runtime = new LocalProcessRuntime(Options(o => o with { ExitOnLoadFailure = false }));
        var replica = await StartAsync(runtime, Launch("r1", new FolderModelLocation(repository), "broken"));

        var probe = await ProbeUntilAsync(runtime, replica, p => p.State != ReplicaProbeState.Starting || (p.Message ?? "").Contains("'broken' UNAVAILABLE", StringComparison.Ordinal));
        Assert.Equal(ReplicaProbeState.Starting, probe.State);
        Assert.Contains("not ready", probe.Message, StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ReplicaProbeState.Starting, (await runtime.ProbeAsync(replica, CancellationToken.None)).State);
        }

        await runtime.StopAsync(replica, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.False(LocalProcessNative.IsRunning(replica.Pid));
    }

    [Fact]
    public async Task ProbeAsync_ReplicaKilledWithSigkill_ProbesExitedWithItsExitCode()
    {
        await using var runtime = new LocalProcessRuntime(Options());
        var replica = await StartAsync(runtime, Launch("r1", new FolderModelLocation(Repository)));
        Assert.True(LocalProcessNative.Signal(replica.Pid, LocalProcessNative.SigKill));

        var probe = await ProbeUntilAsync(runtime, replica, p => p.State == ReplicaProbeState.Exited);
        Assert.StartsWith("exited with code 137", probe.Message, StringComparison.Ordinal);
        await runtime.StopAsync(replica, TimeSpan.FromSeconds(1), CancellationToken.None); // a stop of an exited replica just finishes
    }

    [Fact]
    public async Task TryAdopt_AfterTheStartingRuntimeIsDisposed_NewRuntimeProbesAndStopsIt()
    {
        ReplicaRecord record;
        await using (var first = new LocalProcessRuntime(Options()))
        {
            var replica = await StartAsync(first, Launch("r1", new FolderModelLocation(Repository)));
            record = new ReplicaRecord(replica.Deployment, replica.ReplicaId, replica.Pid, replica.HttpPort, replica.GrpcPort, replica.Version, "Starting", DateTimeOffset.UtcNow);
        }

        Assert.True(LocalProcessNative.IsRunning(record.Pid)); // disposing the runtime does not stop replicas
        await using var second = new LocalProcessRuntime(Options());
        var adopted = second.TryAdopt(record);
        Assert.NotNull(adopted);
        Assert.Equal((record.Pid, record.HttpPort, "fraud-v1"), (adopted!.Pid, adopted.HttpPort, adopted.RevisionId));

        var ready = await ProbeUntilAsync(second, adopted, p => p.State != ReplicaProbeState.Starting);
        Assert.Equal(ReplicaProbeState.Ready, ready.State);
        Assert.Null(ready.ColdStart); // measured by the runtime that started it, not by an adopter

        await second.StopAsync(adopted, TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.False(LocalProcessNative.IsRunning(record.Pid));
        Assert.Equal(ReplicaProbeState.Exited, (await second.ProbeAsync(adopted, CancellationToken.None)).State);
        Assert.Null(second.TryAdopt(record)); // gone now
    }

    [Fact]
    public async Task TryAdopt_PidOfAnUnrelatedProcess_ReturnsNull()
    {
        await using var runtime = new LocalProcessRuntime(Options());
        var self = Environment.ProcessId;
        Assert.Null(runtime.TryAdopt(new ReplicaRecord("fraud", "r1", self, 1, 2, "1", "Ready", DateTimeOffset.UtcNow)));
        Assert.Null(runtime.TryAdopt(new ReplicaRecord("fraud", "r1", 0, 1, 2, "1", "Ready", DateTimeOffset.UtcNow)));
        Assert.Null(runtime.TryAdopt(new ReplicaRecord("../etc", "r1", self, 1, 2, "1", "Ready", DateTimeOffset.UtcNow)));
    }

    [Fact]
    public async Task StartAsync_ReplicaIdAlreadyRunning_ConflictAndNoSecondProcess()
    {
        await using var runtime = new LocalProcessRuntime(Options());
        var replica = await StartAsync(runtime, Launch("r1", new FolderModelLocation(Repository)));
        try
        {
            var again = await runtime.StartAsync(Launch("r1", new FolderModelLocation(Repository)), CancellationToken.None);
            Assert.Equal(ControlErrorKind.Conflict, again.Error?.Kind);
            Assert.Contains($"pid {replica.Pid}", again.Error!.Message, StringComparison.Ordinal);
        }
        finally
        {
            await runtime.StopAsync(replica, TimeSpan.FromSeconds(10), CancellationToken.None);
        }
    }

    [Fact]
    public async Task TryAdopt_ReplicaOfAnotherIdentity_ReturnsNull()
    {
        await using var runtime = new LocalProcessRuntime(Options());
        var replica = await StartAsync(runtime, Launch("r1", new FolderModelLocation(Repository)));
        try
        {
            // The pid is a live replica, but not the one recorded: a record must match the process's marker.
            Assert.Null(runtime.TryAdopt(new ReplicaRecord("fraud", "r2", replica.Pid, replica.HttpPort, replica.GrpcPort, "1", "Ready", DateTimeOffset.UtcNow)));
        }
        finally
        {
            await runtime.StopAsync(replica, TimeSpan.FromSeconds(10), CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("Fraud", "r1")]
    [InlineData("fraud", "../r1")]
    [InlineData("fraud", "")]
    public async Task StartAsync_UnsafeNames_InvalidWithoutStartingAnything(string deployment, string replicaId)
    {
        await using var runtime = new LocalProcessRuntime(Options());
        var launch = Launch(replicaId, new FolderModelLocation(Repository)) with { Deployment = deployment };
        var result = await runtime.StartAsync(launch, CancellationToken.None);
        Assert.Equal(ControlErrorKind.Invalid, result.Error?.Kind);
        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "work", deployment)) && deployment == "Fraud");
    }

    [Fact]
    public async Task StartAsync_MissingRepositoryFolder_InvalidNamingThePath()
    {
        await using var runtime = new LocalProcessRuntime(Options());
        var missing = Path.Combine(_temp.Path, "nope");
        var result = await runtime.StartAsync(Launch("r1", new FolderModelLocation(missing)), CancellationToken.None);
        Assert.Equal(ControlErrorKind.Invalid, result.Error?.Kind);
        Assert.Contains(missing, result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ServerCommandThatExitsAtOnce_UnavailableWithItsOutput()
    {
        await using var runtime = new LocalProcessRuntime(Options(o => o with { ServerCommand = ["/bin/sh", "-c", "echo 'no turbine here' >&2; exit 3", "sh"] }));
        var result = await runtime.StartAsync(Launch("r1", new FolderModelLocation(Repository)), CancellationToken.None);
        Assert.Equal(ControlErrorKind.Unavailable, result.Error?.Kind);
        Assert.Contains("exited at start with code 3: no turbine here", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingEachProblem()
    {
        var e = Assert.Throws<ArgumentException>(() => new LocalProcessRuntime(new LocalRuntimeOptions { WorkDirectory = "relative", MaxStartAttempts = 0 }));
        Assert.Contains("WorkDirectory", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxStartAttempts", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerCommand_Default_RunsTurbineDllUnderTheDotnetHost()
    {
        var options = Options();
        var (command, problem) = options.ResolveServerCommand();
        Assert.Null(problem);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "turbine.dll"), command![^1]);
    }
}
