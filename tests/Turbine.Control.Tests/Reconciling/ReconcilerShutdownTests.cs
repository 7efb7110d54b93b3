using System.Globalization;
using Turbine.Control.Reconciling;
using Turbine.Control.Runtime;
using Turbine.Control.Specs;
using Turbine.Control.Storage;

namespace Turbine.Control.Tests.Reconciling;

/// <summary>
/// The controller's shutdown with the real local runtime and a real child process: a replica that ignores SIGTERM is
/// killed past the drain grace, the stop finishes, and every caller of the stop waits for it.
/// </summary>
public sealed class ReconcilerShutdownTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new("turbine-reconciler-stop");
    private readonly List<int> _pids = [];
    private SqliteControlStore? _store;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var pid in _pids.Where(LocalProcessNative.IsRunning))
        {
            LocalProcessNative.Signal(pid, LocalProcessNative.SigKill);
        }

        _store?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task DisposeAsync_ReplicaThatIgnoresSigterm_KilledPastTheGraceAndEveryCallerWaitsForIt()
    {
        _store = new SqliteControlStore(_folder.File("control.db"), TimeProvider.System);
        // The "server" ignores SIGTERM; exec keeps the pid the runtime watches and the ignored disposition with it.
        // A short start timeout: it never listens, so the start returns it as starting.
        await using var runtime = new LocalProcessRuntime(new LocalRuntimeOptions
        {
            WorkDirectory = _folder.File("work"),
            StartTimeout = TimeSpan.FromSeconds(1),
            ServerCommand = ["/bin/sh", "-c", "trap '' TERM; exec sleep 120", "sh"],
        });
        var reconciler = new Reconciler(_store, runtime, new FakeResolver { Current = FakeResolver.Revision(1) }, new FakeTraffic(), new ReconcilerOptions
        {
            DrainDelay = TimeSpan.Zero,
            DrainGrace = TimeSpan.FromSeconds(1),
            StopReplicasOnShutdown = true,
        }, random: new Random(7));

        var yaml = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: fraud
            spec:
              predictor:
                minReplicas: 1
                model:
                  modelFormat:
                    name: onnx
                  storageUri: registry://fraud@production
            """;
        var parsed = InferenceServiceParser.Parse(yaml, "test.yaml");
        Assert.True((await _store.ApplyAsync("fraud", yaml, parsed.Spec!)).IsOk);
        await reconciler.ReconcileAllAsync(CancellationToken.None);

        var record = Assert.Single((await _store.ListReplicasAsync("fraud")).Value!);
        _pids.Add(record.Pid);
        Assert.True(LocalProcessNative.IsRunning(record.Pid));
        Assert.True(IgnoresSigterm(record.Pid), "the replica does not ignore SIGTERM: the test would not show the kill");

        // Two callers at once (a host's own stop and an explicit dispose): both return only after the replica is gone.
        var first = reconciler.DisposeAsync().AsTask();
        var second = reconciler.DisposeAsync().AsTask();
        await second;
        Assert.False(LocalProcessNative.IsRunning(record.Pid), "the second dispose returned while the replica still ran");
        await first;
        Assert.Empty((await _store.ListReplicasAsync("fraud")).Value!);
    }

    private static bool IgnoresSigterm(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << 14)) != 0;
    }
}
