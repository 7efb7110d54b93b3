using Turbine.Client.Registry;
using Turbine.Control.Runtime;
using Turbine.Control.Specs;
using Turbine.Samples;

namespace Turbine.Control.Tests.Runtime;

/// <summary>
/// What lets a replica outlive its controller and share a machine with other replicas: its own session and log file,
/// a registry token only in its environment, retried ports, one blob cache shared safely. Real <c>turbine serve</c>
/// children; every process started is killed by pid in Dispose.
/// </summary>
public sealed class LocalProcessRuntimeIsolationTests : IDisposable
{
    private static readonly TimeSpan ReadyDeadline = TimeSpan.FromSeconds(90);
    private readonly TempFolder _temp = new("turbine-runtime-isolation-test");
    private readonly List<int> _pids = [];

    public void Dispose()
    {
        foreach (var pid in _pids)
        {
            if (LocalProcessNative.IsRunning(pid)
                && File.ReadAllText($"/proc/{pid}/environ").Contains(LocalProcessNative.ReplicaIdVariable + "=", StringComparison.Ordinal))
            {
                LocalProcessNative.Signal(pid, LocalProcessNative.SigKill);
            }
        }

        _temp.Dispose();
    }

    private LocalRuntimeOptions Options() => new() { WorkDirectory = Path.Combine(_temp.Path, "work"), StartTimeout = TimeSpan.FromSeconds(60) };

    private static ReplicaLaunch Launch(string replicaId, ModelLocation location) =>
        new("fraud", replicaId, new RevisionModel("fraud-v1", "1", ["simple"], location),
            new PredictorSpec { Model = new ModelSpec(ModelFormat.Onnx, null, new FileStorageUri("file:///unused", "/unused"), null) });

    private string Repository()
    {
        var repository = Path.Combine(_temp.Path, "models");
        SampleRepository.CreateModel(repository, "simple");
        return repository;
    }

    private async Task<ReplicaProcess> StartAsync(LocalProcessRuntime runtime, ReplicaLaunch launch)
    {
        var result = await runtime.StartAsync(launch, CancellationToken.None);
        if (result.Value is { } started)
        {
            _pids.Add(started.Pid);
        }

        Assert.True(result.IsOk, result.Error?.Message);
        return result.Value!;
    }

    private static async Task<ReplicaProbe> WaitReadyAsync(LocalProcessRuntime runtime, ReplicaProcess replica)
    {
        ReplicaProbe last = new(ReplicaProbeState.Starting);
        await Poll.UntilOrFailAsync(async () =>
        {
            last = await runtime.ProbeAsync(replica, CancellationToken.None);
            return last.State != ReplicaProbeState.Starting;
        }, ReadyDeadline, () => $"{replica.ReplicaId}: last probe {last}; log:\n{string.Join('\n', replica.LogTail(40))}", TimeSpan.FromMilliseconds(100));
        Assert.True(last.State == ReplicaProbeState.Ready, $"{last}; log:\n{string.Join('\n', replica.LogTail(40))}");
        return last;
    }

    /// <summary>The session id (field 6 of /proc/PID/stat).</summary>
    private static int SessionOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task StartAsync_Child_HasItsOwnSessionAndWritesToItsLogFileNotAPipe()
    {
        await using var runtime = new LocalProcessRuntime(Options() with { RegistryToken = "secret-token-4711" });
        var replica = await StartAsync(runtime, Launch("r1", new FolderModelLocation(Repository())));
        try
        {
            // A dead controller cannot take it down: not in the controller's session or process group, and stdout and
            // stderr are its log file (a closed pipe would kill it with SIGPIPE/EPIPE).
            Assert.NotEqual(SessionOf(Environment.ProcessId), SessionOf(replica.Pid));
            var log = Path.Combine(_temp.Path, "work", "fraud", "r1", ReplicaLogFile.FileName);
            Assert.Equal(log, new FileInfo($"/proc/{replica.Pid}/fd/1").LinkTarget);
            Assert.Equal(log, new FileInfo($"/proc/{replica.Pid}/fd/2").LinkTarget);
            Assert.Equal("/dev/null", new FileInfo($"/proc/{replica.Pid}/fd/0").LinkTarget);

            // The token travels in the environment only: ps shows the command line.
            var cmdline = File.ReadAllText($"/proc/{replica.Pid}/cmdline");
            Assert.Contains("--http-port\0" + replica.HttpPort, cmdline, StringComparison.Ordinal);
            Assert.DoesNotContain("secret-token-4711", cmdline, StringComparison.Ordinal);
            Assert.Contains("TURBINE_REGISTRY_TOKEN=secret-token-4711", File.ReadAllText($"/proc/{replica.Pid}/environ"), StringComparison.Ordinal);
        }
        finally
        {
            await runtime.StopAsync(replica, TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        Assert.False(LocalProcessNative.IsRunning(replica.Pid));
    }

    [Fact]
    public async Task StartAsync_FirstTryCannotBindItsPort_RetriedWithFreshPorts()
    {
        // The server command fails the first start the way turbine serve does when its port was taken meanwhile.
        var once = Path.Combine(_temp.Path, "failed-once");
        var script = $"if [ ! -e '{once}' ]; then : > '{once}'; echo 'turbine: error: cannot start the server: HTTP port 1 on 127.0.0.1 is already in use; choose another with --http-port' >&2; exit 1; fi; exec \"$@\"";
        var options = Options() with { ServerCommand = ["/bin/sh", "-c", script, "sh", Environment.ProcessPath!, Path.Combine(AppContext.BaseDirectory, "turbine.dll")] };
        await using var runtime = new LocalProcessRuntime(options);
        var replica = await StartAsync(runtime, Launch("r1", new FolderModelLocation(Repository())));
        try
        {
            Assert.True(File.Exists(once));
            await WaitReadyAsync(runtime, replica);
            Assert.Contains(replica.LogTail(1000), l => l.Contains("already in use", StringComparison.Ordinal));
        }
        finally
        {
            await runtime.StopAsync(replica, TimeSpan.FromSeconds(10), CancellationToken.None);
        }
    }

    [Fact]
    public async Task StartAsync_TwoReplicasOfOneRegistryVersionAtOnce_BothReadyFromOneSharedBlob()
    {
        await using var registry = await RegistryHarness.StartAsync();
        using (var client = new RegistryClient(registry.Url))
        {
            await client.CreateModelAsync(new NewRegisteredModel { Name = "simple" });
            var artifact = await client.UploadAsync(Path.Combine(Repository(), "simple"));
            await client.CreateVersionAsync("simple", new NewModelVersion { Artifact = artifact });
        }

        await using var runtime = new LocalProcessRuntime(Options());
        var location = new RegistryModelLocation(registry.Url, "simple", 1);
        var started = await Task.WhenAll(runtime.StartAsync(Launch("r1", location), CancellationToken.None), runtime.StartAsync(Launch("r2", location), CancellationToken.None));
        var replicas = started.Select(r => r.Value).OfType<ReplicaProcess>().ToList();
        _pids.AddRange(replicas.Select(r => r.Pid));
        try
        {
            Assert.All(started, r => Assert.True(r.IsOk, r.Error?.Message));
            var ready = await Task.WhenAll(replicas.Select(r => WaitReadyAsync(runtime, r)));

            // The blob was not cached: at least one replica downloaded it, and its cold start has a fetch phase.
            Assert.Contains(ready, p => p.ColdStart?.Fetch > TimeSpan.Zero);

            // One verified blob in the shared cache, no temporary download left; each replica its own repository.
            var blobs = Directory.GetFiles(Path.Combine(_temp.Path, "work", "registry-cache", "blobs", "sha256"));
            Assert.Single(blobs);
            foreach (var id in new[] { "r1", "r2" })
            {
                Assert.True(Directory.Exists(Path.Combine(_temp.Path, "work", "fraud", id, "registry-cache", "repository", "simple", "1")));
            }
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await runtime.StopAsync(replica, TimeSpan.FromSeconds(10), CancellationToken.None);
            }
        }
    }
}
