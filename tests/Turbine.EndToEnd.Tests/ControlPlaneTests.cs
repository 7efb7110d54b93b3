using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Turbine.Client;
using Turbine.Client.Registry;
using Xunit.Abstractions;

namespace Turbine.EndToEnd.Tests;

/// <summary>
/// The whole control plane with real processes on loopback: <c>turbine control serve</c> (API, gateway, runtime,
/// resolver, reconciler) and its child <c>turbine serve</c> replicas. Every process started, the replicas included, is
/// killed by pid at the end (found by the test's own temp folder in their command lines).
/// </summary>
public sealed partial class ControlPlaneTests : IAsyncLifetime
{
    private static readonly string[] FastFlags =
    [
        "--dev", "--port", "0", "--gateway-http-port", "0", "--gateway-grpc-port", "0",
        "--tick-secs", "0.5", "--stable-window-secs", "6", "--panic-window-secs", "1", "--resolve-interval-secs", "1",
        "--drain-grace-secs", "2",
    ];

    private readonly TempFolder _folder = new("turbine-e2e-plane");
    private readonly ITestOutputHelper _log;
    private readonly List<TurbineProcess> _processes = [];

    public ControlPlaneTests(ITestOutputHelper log) => _log = log;

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit 2 never calls a test class's DisposeAsync otherwise.
    public async Task DisposeAsync()
    {
        foreach (var p in _processes)
        {
            await p.DisposeAsync();
        }

        // A controller killed with -9 leaves its replicas running (their own session): kill them by pid.
        foreach (var pid in ProcessesUnder(_folder.Path))
        {
            Kill(pid);
        }

        await Poll.UntilAsync(() => ProcessesUnder(_folder.Path).Count == 0, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        _folder.Dispose();
    }

    [Fact]
    public async Task FileSpec_InferOverHttpAndGrpc_ScalesUpUnderLoad_SurvivesReplicaKill_ScalesDown_ThenToZeroAndColdStarts()
    {
        var repo = _folder.File("models");
        Turbine.Samples.SampleRepository.CreateModel(repo, "simple");
        var plane = await StartPlaneAsync("--allow-file-root", repo, "--replica-start-timeout-secs", "30");
        var modelDir = Path.Combine(repo, "simple");

        var (code, body) = await plane.ApplyAsync(SimpleSpec("simple", new Uri(modelDir).AbsoluteUri, minReplicas: 1));
        Assert.True(code is HttpStatusCode.Created, body);
        await plane.WaitForStatusAsync("simple", s => Phase(s) == "ready" && s.GetProperty("readyReplicas").GetInt32() == 1, TimeSpan.FromSeconds(60), "simple never became Ready with 1 replica");

        using var http = new TurbineHttpClient(plane.GatewayHttp);
        Assert.Equal(17, (await http.InferAsync("simple", Inputs(1))).GetOutput("OUTPUT0").AsArray<int>()[15]);
        using (var grpc = new TurbineGrpcClient(plane.GatewayGrpc))
        {
            Assert.Equal(18, (await grpc.InferAsync("simple", Inputs(2))).GetOutput("OUTPUT0").AsArray<int>()[15]);
        }

        // Bounded load: 16 concurrent clients against scaleTarget 2 → the autoscaler wants more replicas.
        var load = new Load(http, clients: 16, TimeSpan.FromSeconds(60));
        try
        {
            var scaled = await plane.WaitForStatusAsync("simple", s => s.GetProperty("readyReplicas").GetInt32() >= 2, TimeSpan.FromSeconds(45), "never scaled up to 2 ready replicas under load");
            Assert.True(scaled.GetProperty("desiredReplicas").GetInt32() > 1);
            Assert.Contains(await plane.EventsAsync("simple"), e => e.Reason == "ScaledUp");

            // kill -9 one ready replica while the load runs: the gateway replays its requests, the reconciler replaces it.
            var victim = Replicas(scaled).First(r => r.State == "ready");
            var readyBefore = scaled.GetProperty("readyReplicas").GetInt32();
            Kill(victim.Pid);
            var completedAtKill = load.Completed;
            await plane.WaitForEventAsync("simple", "ReplicaCrashed", TimeSpan.FromSeconds(30));
            await plane.WaitForStatusAsync(
                "simple",
                s => s.GetProperty("readyReplicas").GetInt32() >= Math.Min(2, readyBefore) && Replicas(s).All(r => r.Pid != victim.Pid),
                TimeSpan.FromSeconds(45),
                "the killed replica was not replaced");
            await Poll.UntilAsync(() => load.Completed > completedAtKill + 50, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));
        }
        finally
        {
            await load.StopAsync();
        }

        _log.WriteLine($"{load.Completed} requests under load, {load.Failures.Count} failed");
        Assert.True(load.Failures.IsEmpty, $"{load.Failures.Count} requests failed, first: {load.Failures.FirstOrDefault()}\n{plane.Process.Output}");
        Assert.True(load.Completed > 100, $"only {load.Completed} requests completed");

        // Load gone: back down to one replica.
        await plane.WaitForStatusAsync("simple", s => s.GetProperty("desiredReplicas").GetInt32() == 1 && s.GetProperty("readyReplicas").GetInt32() == 1 && Replicas(s).Count == 1, TimeSpan.FromSeconds(60), "never scaled back down to 1");
        Assert.Contains(await plane.EventsAsync("simple"), e => e.Reason == "ScaledDown");

        // minReplicas 0: no traffic → ScaledToZero, no replica process left; the next request cold-starts one.
        (code, body) = await plane.ApplyAsync(SimpleSpec("simple", new Uri(modelDir).AbsoluteUri, minReplicas: 0));
        Assert.True(code is HttpStatusCode.OK, body);
        await plane.WaitForStatusAsync("simple", s => Phase(s) == "scaledToZero" && Replicas(s).Count == 0, TimeSpan.FromSeconds(60), "never scaled to zero");
        await Poll.UntilAsync(() => ServeChildren().Count == 0, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        Assert.Empty(ServeChildren());

        using var cold = new HttpClient { BaseAddress = plane.GatewayHttp, Timeout = TimeSpan.FromSeconds(60) };
        using var coldClient = new TurbineHttpClient(cold);
        Assert.Equal(19, (await coldClient.InferAsync("simple", Inputs(3))).GetOutput("OUTPUT0").AsArray<int>()[15]);
        Assert.Single(ServeChildren());
    }

    [Fact]
    public async Task RegistrySpec_PromotionCanaryIsPromoted_CorruptCanaryRolledBack_ControllerKill9AdoptsReplicas()
    {
        await using var registry = await RegistryHarness.StartAsync();
        using var client = new RegistryClient(registry.Url);
        var samples = _folder.File("samples");
        Turbine.Samples.SampleRepository.CreateModel(samples, "simple");
        await client.CreateModelAsync(new NewRegisteredModel { Name = "simple", Description = "e2e" });
        await RegisterAsync(client, Path.Combine(samples, "simple"));

        // A registry replica whose model cannot load keeps running, not ready (the server retries registry references), so
        // the controller counts it crashed only at the start timeout: keep that short so three crashes fit the test.
        string[] flags = ["--registry-url", registry.Url.ToString(), "--replica-start-timeout-secs", "10"];
        var plane = await StartPlaneAsync(flags);
        var (code, body) = await plane.ApplyAsync(RegistrySpec());
        Assert.True(code is HttpStatusCode.Created, body);
        await plane.WaitForStatusAsync("simple", s => Phase(s) == "ready" && StableVersion(s) == "1", TimeSpan.FromSeconds(60), "version 1 never became Ready");

        using var http = new TurbineHttpClient(plane.GatewayHttp);
        var load = new Load(http, clients: 2, TimeSpan.FromSeconds(100));
        try
        {
            // Version 2 to Production → a 50 % canary with a 3 s analysis window → promoted.
            await RegisterAsync(client, Path.Combine(samples, "simple"));
            await plane.WaitForStatusAsync("simple", s => CanaryVersion(s) == "2", TimeSpan.FromSeconds(30), "the promotion of version 2 started no canary");
            await plane.WaitForEventAsync("simple", "Promoted", TimeSpan.FromSeconds(60));
            await plane.WaitForStatusAsync("simple", s => StableVersion(s) == "2" && CanaryVersion(s) is null && Phase(s) == "ready", TimeSpan.FromSeconds(60), "version 2 never became the stable revision");
            await Poll.UntilAsync(() => load.Versions.ContainsKey("2"), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));

            // Version 3 cannot load: its canary crash-loops and is rolled back, version 2 keeps serving.
            var broken = _folder.File("broken/simple");
            CopyFolder(Path.Combine(samples, "simple"), broken);
            foreach (var onnx in Directory.EnumerateFiles(broken, "*.onnx", SearchOption.AllDirectories))
            {
                await File.WriteAllBytesAsync(onnx, Encoding.ASCII.GetBytes("this is not an onnx model"));
            }

            await RegisterAsync(client, broken);
            await plane.WaitForEventAsync("simple", "RolledBack", TimeSpan.FromSeconds(90));
            await plane.WaitForStatusAsync("simple", s => StableVersion(s) == "2" && CanaryVersion(s) is null && Phase(s) == "ready" && Replicas(s).All(r => r.Version == "2"), TimeSpan.FromSeconds(60), "version 2 did not take all traffic back");
        }
        finally
        {
            await load.StopAsync();
        }

        Assert.True(load.Failures.IsEmpty, $"{load.Failures.Count} requests failed, first: {load.Failures.FirstOrDefault()}\n{plane.Process.Output}");
        Assert.True(load.Versions.ContainsKey("1") && load.Versions.ContainsKey("2"), $"answers by version: {string.Join(", ", load.Versions)}");
        Assert.False(load.Versions.ContainsKey("3"));

        // The operator moves Production back to the good version (a controller remembers a rolled-back revision only in
        // memory: a restarted one would try version 3 again).
        await client.TransitionStageAsync("simple", 2, "Production", archiveExisting: true);
        await Task.Delay(TimeSpan.FromSeconds(3)); // a few resolve intervals: the held rollout is cleared, nothing starts
        Assert.Null(CanaryVersion(await plane.StatusAsync("simple")));

        // kill -9 the controller; a new one on the same data adopts the running replicas.
        var before = Replicas(await plane.StatusAsync("simple")).Select(r => r.Pid).Order().ToList();
        await Poll.UntilAsync(() => ServeChildren().Order().SequenceEqual(before), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        Assert.Equal(before, ServeChildren().Order().ToList());
        plane.Process.Kill();
        using (var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await plane.Process.WaitForExitAsync(exited.Token);
        }

        Assert.Equal(before, ServeChildren().Order().ToList());
        var again = await StartPlaneAsync(flags);
        await again.WaitForEventAsync("simple", "Adopted", TimeSpan.FromSeconds(30));
        var adopted = await again.WaitForStatusAsync("simple", s => Phase(s) == "ready" && StableVersion(s) == "2", TimeSpan.FromSeconds(30), "the restarted controller did not report version 2 Ready");
        Assert.Equal(before, Replicas(adopted).Select(r => r.Pid).Order().ToList());
        using var afterRestart = new TurbineHttpClient(again.GatewayHttp);
        var answer = await afterRestart.InferAsync("simple", Inputs(5));
        Assert.Equal("2", answer.ModelVersion);

        // A few ticks later still the same processes: nothing was started beside the adopted ones.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(before, ServeChildren().Order().ToList());
        Assert.Equal(before, Replicas(await again.StatusAsync("simple")).Select(r => r.Pid).Order().ToList());
    }

    private static async Task RegisterAsync(RegistryClient client, string folder)
    {
        var artifact = await client.UploadAsync(folder);
        var version = await client.CreateVersionAsync("simple", new NewModelVersion { Artifact = artifact, Description = "e2e" });
        await client.TransitionStageAsync("simple", version.Version, "Production", archiveExisting: true);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private async Task<Plane> StartPlaneAsync(params string[] extra)
    {
        var process = TurbineProcess.Start(["control", "serve", .. FastFlags, "--data", _folder.File("data"), .. extra]);
        _processes.Add(process);
        var ready = await process.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(60));
        if (!ready.Success)
        {
            throw new InvalidOperationException(process.Output);
        }

        return new Plane(process, new Uri(ready.Groups[1].Value), new Uri(ready.Groups[2].Value), new Uri(ready.Groups[3].Value));
    }

    /// <summary>Replica processes (<c>turbine.dll serve</c>) whose command line names this test's folder.</summary>
    private List<int> ServeChildren() => ProcessesUnder(_folder.Path, cmd => cmd.Contains("turbine.dll\0serve\0", StringComparison.Ordinal));

    private static List<int> ProcessesUnder(string folder, Func<string, bool>? filter = null)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            string cmd;
            try
            {
                cmd = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (File.ReadAllText(Path.Combine(dir, "stat")).Split(") ").LastOrDefault()?.StartsWith('Z') == true)
                {
                    continue;
                }
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (cmd.Contains(folder, StringComparison.Ordinal) && (filter is null || filter(cmd)))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    private void Kill(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            p.Kill();
        }
        catch (ArgumentException)
        {
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            _log.WriteLine($"kill {pid}: {e.Message}");
        }
    }

    private static string SimpleSpec(string name, string uri, int minReplicas) => $"""
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: {name}
          annotations:
            turbine.dev/scale-to-zero-grace: 2s
            turbine.dev/analysis-window: 3s
        spec:
          predictor:
            minReplicas: {minReplicas}
            maxReplicas: 3
            scaleMetric: concurrency
            scaleTarget: 2
            model:
              modelFormat:
                name: onnx
              storageUri: {uri}
        """;

    private static string RegistrySpec() => """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: simple
          annotations:
            turbine.dev/analysis-window: 3s
            # A fresh replica on a busy 2-core machine answers its first requests slowly (JIT, cold caches): judge
            # errors, not latency, so the test cannot roll back a healthy canary for warming up.
            turbine.dev/max-p99-latency-ratio: "100"
        spec:
          predictor:
            minReplicas: 1
            maxReplicas: 1
            canaryTrafficPercent: 50
            model:
              modelFormat:
                name: onnx
              storageUri: registry://simple@production
        """;

    private static InferInput[] Inputs(int offset) =>
    [
        new InferInput("INPUT0", [1, 16], "INT32").SetData(Enumerable.Range(offset, 16).ToArray()),
        new InferInput("INPUT1", [1, 16], "INT32").SetData(Enumerable.Repeat(1, 16).ToArray()),
    ];

    private static string? Phase(JsonElement status) => status.GetProperty("phase").GetString();

    private static string? StableVersion(JsonElement status) =>
        status.TryGetProperty("stable", out var s) && s.ValueKind == JsonValueKind.Object ? s.GetProperty("version").GetString() : null;

    private static string? CanaryVersion(JsonElement status) =>
        status.TryGetProperty("canary", out var s) && s.ValueKind == JsonValueKind.Object ? s.GetProperty("version").GetString() : null;

    private static List<(int Pid, string? State, string? Version)> Replicas(JsonElement status) =>
        [.. status.GetProperty("replicas").EnumerateArray().Select(r => (r.GetProperty("pid").GetInt32(), r.GetProperty("state").GetString(), r.GetProperty("version").GetString()))];

    [GeneratedRegex(@"turbine control ready: API on (\S+) (?:dashboard on \S+ )?gateway HTTP on (\S+) gRPC on (\S+)")]
    private static partial Regex ReadyLine();

    /// <summary>A running <c>turbine control serve</c> and its addresses.</summary>
    private sealed record Plane(TurbineProcess Process, Uri Api, Uri GatewayHttp, Uri GatewayGrpc)
    {
        private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

        public async Task<(HttpStatusCode Code, string Body)> ApplyAsync(string yaml)
        {
            using var content = new StringContent(yaml, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/yaml");
            using var response = await Http.PostAsync(new Uri(Api, "api/v1/deployments"), content);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        public async Task<JsonElement> StatusAsync(string name)
        {
            var text = await Http.GetStringAsync(new Uri(Api, $"api/v1/deployments/{name}"));
            return JsonDocument.Parse(text).RootElement.GetProperty("status").Clone();
        }

        public async Task<List<(string Reason, string Message)>> EventsAsync(string name)
        {
            var text = await Http.GetStringAsync(new Uri(Api, $"api/v1/deployments/{name}/events?limit=1000"));
            return [.. JsonDocument.Parse(text).RootElement.GetProperty("events").EnumerateArray()
                .Select(e => (e.GetProperty("reason").GetString() ?? "", e.GetProperty("message").GetString() ?? ""))];
        }

        public async Task<JsonElement> WaitForStatusAsync(string name, Func<JsonElement, bool> condition, TimeSpan timeout, string what)
        {
            JsonElement last = default;
            var met = await Poll.UntilAsync(
                async () =>
                {
                    last = await StatusAsync(name);
                    return condition(last);
                },
                timeout,
                TimeSpan.FromMilliseconds(200));
            if (!met)
            {
                var events = string.Join('\n', (await EventsAsync(name)).Select(e => $"{e.Reason}: {e.Message}"));
                throw new Xunit.Sdk.XunitException($"{what}; last status: {last}\nevents:\n{events}\noutput:\n{Process.Output}");
            }

            return last;
        }

        public async Task WaitForEventAsync(string name, string reason, TimeSpan timeout)
        {
            var met = await Poll.UntilAsync(async () => (await EventsAsync(name)).Any(e => e.Reason == reason), timeout, TimeSpan.FromMilliseconds(200));
            if (!met)
            {
                var events = string.Join('\n', (await EventsAsync(name)).Select(e => $"{e.Reason}: {e.Message}"));
                throw new Xunit.Sdk.XunitException($"no {reason} event within {timeout}; status: {await StatusAsync(name)}\nevents:\n{events}\noutput:\n{Process.Output}");
            }
        }
    }

    /// <summary>Concurrent sequential clients through the gateway until stopped (bounded in time); every failure is kept.</summary>
    private sealed class Load
    {
        private readonly CancellationTokenSource _stop;
        private readonly Task _all;
        private int _completed;

        public Load(TurbineHttpClient client, int clients, TimeSpan limit)
        {
            _stop = new CancellationTokenSource(limit);
            _all = Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                for (var i = 0; !_stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        var result = await client.InferAsync("simple", Inputs(i % 100));
                        if (result.GetOutput("OUTPUT0").AsArray<int>()[15] != (i % 100) + 16)
                        {
                            Failures.Enqueue($"client {c} request {i}: wrong answer");
                        }

                        Versions.AddOrUpdate(result.ModelVersion, 1, (_, n) => n + 1);
                        Interlocked.Increment(ref _completed);
                    }
                    catch (Exception e) when (e is TurbineClientException or HttpRequestException or TaskCanceledException)
                    {
                        Failures.Enqueue($"client {c} request {i}: {e.GetType().Name}: {e.Message}");
                    }
                }
            })));
        }

        public ConcurrentQueue<string> Failures { get; } = new();

        public ConcurrentDictionary<string, int> Versions { get; } = new();

        public int Completed => Volatile.Read(ref _completed);

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _all;
            _stop.Dispose();
        }
    }
}
