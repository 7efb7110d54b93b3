using Microsoft.Extensions.Logging;
using Turbine.Backends.Onnx;
using Turbine.Core.Backends;
using Turbine.Core.Config;
using Turbine.Core.Lifecycle;
using Turbine.Core.Tensors;
using Turbine.Samples;

namespace Turbine.Server.Tests.Security;

/// <summary>
/// Issue 11 item 4: a load stuck in a call that cannot be cancelled (here a backend that blocks creating its session,
/// as an open() on a FIFO did) is bounded by the load timeout, abandoned without ever swapping in, does not hold other
/// models back, and does not keep the server from stopping.
/// </summary>
public sealed class LoadTimeoutTests
{
    [Fact]
    public async Task RestLoad_BackendHangs_503AfterTimeoutOthersLoadAndAbandonedLoadNeverSwapsIn()
    {
        using var backend = new GatedBackend("slow");
        await using var server = await StartAsync(backend, TimeSpan.FromMilliseconds(300));
        using var http = new HttpClient { BaseAddress = server.HttpAddress };

        var (status, body) = await PostAsync(http, "/v2/repository/models/slow/load");
        Assert.Equal(503, status);
        Assert.Contains("failed to load 'slow': load abandoned, it did not finish within 0.3 s (--model-load-timeout-secs)", body, StringComparison.Ordinal);
        Assert.True(backend.Entered.IsSet);

        // The stuck load holds only its own model: another loads, the server stays live (not ready under strict
        // readiness: 'slow' is meant to load and is not READY), and a second load of the stuck model is refused
        // (bounded) instead of queueing forever.
        Assert.Equal(200, (await PostAsync(http, "/v2/repository/models/iris/load")).Status);
        Assert.Equal(200, (int)(await http.GetAsync("/v2/health/live")).StatusCode);
        Assert.Equal(503, (int)(await http.GetAsync("/v2/health/ready")).StatusCode);
        Assert.Equal(200, (await PostAsync(http, "/v2/models/simple/infer", ServerHarness.SimpleJson())).Status);
        var (again, againBody) = await PostAsync(http, "/v2/repository/models/slow/load");
        Assert.Equal(503, again);
        Assert.Contains("an earlier load of it is still running", againBody, StringComparison.Ordinal);
        Assert.Equal(503, (int)(await http.GetAsync("/v2/models/slow/ready")).StatusCode);
        var (_, index) = await PostAsync(http, "/v2/repository/index", "{}");
        Assert.Contains("load abandoned", index, StringComparison.Ordinal);

        // Once the backend returns, the abandoned load disposes what it built instead of serving it.
        backend.Release();
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(backend.Disposed > 0), TimeSpan.FromSeconds(30)));
        Assert.Equal(503, (int)(await http.GetAsync("/v2/models/slow/ready")).StatusCode);
        Assert.True(await ServerHarness.EventuallyAsync(async () => (await PostAsync(http, "/v2/repository/models/slow/load")).Status == 200, TimeSpan.FromSeconds(30)));
        Assert.Equal(200, (int)(await http.GetAsync("/v2/models/slow/ready")).StatusCode);
    }

    [Fact]
    public async Task StopAsync_LoadStuckForever_StopsWithoutWaitingForIt()
    {
        using var backend = new GatedBackend("slow");
        var server = await StartAsync(backend, TimeSpan.FromHours(1));
        using var http = new HttpClient { BaseAddress = server.HttpAddress };
        var load = PostAsync(http, "/v2/repository/models/slow/load");
        Assert.True(await ServerHarness.EventuallyAsync(() => Task.FromResult(backend.Entered.IsSet), TimeSpan.FromSeconds(30)));

        // The gate is never released while the server stops: a stop that awaited the load would never complete.
        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        var (status, body) = await load;
        Assert.Equal(503, status);
        Assert.Contains("the server is stopping", body, StringComparison.Ordinal);
    }

    private static async Task<TurbineServer> StartAsync(GatedBackend backend, TimeSpan loadTimeout)
    {
        var repository = Path.Combine(Path.GetTempPath(), "turbine-tests", Guid.NewGuid().ToString("N"));
        SampleRepository.Create(repository);
        var slow = Path.Combine(repository, "slow");
        Directory.CreateDirectory(Path.Combine(slow, "1"));
        File.Copy(Path.Combine(repository, "simple", "1", "model.onnx"), Path.Combine(slow, "1", "model.onnx"));
        File.WriteAllText(Path.Combine(slow, "config.pbtxt"),
            File.ReadAllText(Path.Combine(repository, "simple", "config.pbtxt")).Replace("\"simple\"", "\"slow\"", StringComparison.Ordinal));
        return await TurbineServer.StartAsync(
            new ServerOptions
            {
                Engine = new() { ModelRepository = repository, ControlMode = ModelControlMode.Explicit, StartupModels = ["simple"], LoadTimeout = loadTimeout },
                HttpPort = 0,
                GrpcPort = 0,
                MetricsPort = 0,
                ShutdownTimeout = TimeSpan.FromSeconds(10),
            },
            l => l.SetMinimumLevel(LogLevel.Critical),
            [backend]);
    }

    private static async Task<(int Status, string Body)> PostAsync(HttpClient http, string path, string json = "{}")
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(path, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>ONNX Runtime, except that creating an instance of one model blocks until released, ignoring cancellation.</summary>
    private sealed class GatedBackend(string blockedModel) : IBackend, IDisposable
    {
        private readonly OnnxBackend _inner = new();
        private readonly ManualResetEventSlim _gate = new();
        private int _disposed;

        public ManualResetEventSlim Entered { get; } = new();

        public int Disposed => Volatile.Read(ref _disposed);

        public string Name => _inner.Name;

        public string Platform => _inner.Platform;

        public string DefaultModelFilename => _inner.DefaultModelFilename;

        public bool Handles(ModelConfig config) => _inner.Handles(config);

        public ModelConfig AutoComplete(ModelConfig config, string modelFilePath) => _inner.AutoComplete(config, modelFilePath);

        public IModelInstance CreateInstance(ModelInstanceSpec spec)
        {
            var instance = _inner.CreateInstance(spec);
            if (spec.Config.Name != blockedModel || _gate.IsSet)
            {
                return instance;
            }

            Entered.Set();
            _gate.Wait();
            return new Counted(instance, () => Interlocked.Increment(ref _disposed));
        }

        public void Release() => _gate.Set();

        public void Dispose()
        {
            _gate.Set();
            _gate.Dispose();
            Entered.Dispose();
        }

        private sealed class Counted(IModelInstance inner, Action onDispose) : IModelInstance
        {
            public string Name => inner.Name;

            public ExecutionResult Execute(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken) =>
                inner.Execute(inputs, outputNames, cancellationToken);

            public void Dispose()
            {
                inner.Dispose();
                onDispose();
            }
        }
    }
}
