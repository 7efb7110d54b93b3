using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Turbine.Backends.Onnx;
using Turbine.Core.Lifecycle;
using Turbine.Core.Repository;
using Turbine.Core.Sources;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Sources;

/// <summary>The engine reading its models through a source: the configuration a source decides, and following its changes.</summary>
public sealed class EngineSourceTests : IDisposable
{
    private readonly TempModelRepository _repo = new("simple");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task LoadModelAsync_SourceDecidesTheConfig_LoadsWithIt()
    {
        await using var engine = await StartExplicitAsync(new FixedConfigSource(_repo.Root, SimpleConfig(maxBatchSize: 2)));

        Assert.Null(await engine.LoadModelAsync("simple", null, CancellationToken.None));

        Assert.Equal(2, engine.GetModelConfig("simple", null).Value!.MaxBatchSize);
    }

    [Fact]
    public async Task LoadModelAsync_ConfigGivenToTheLoad_TakesPrecedenceOverTheSources()
    {
        await using var engine = await StartExplicitAsync(new FixedConfigSource(_repo.Root, SimpleConfig(maxBatchSize: 2)));

        Assert.Null(await engine.LoadModelAsync("simple", SimpleConfig(maxBatchSize: 4), CancellationToken.None));

        Assert.Equal(4, engine.GetModelConfig("simple", null).Value!.MaxBatchSize);
    }

    [Fact]
    public async Task StartWatching_FolderSourceInPollMode_LoadsAModelAddedToTheFolder()
    {
        var time = new FakeTimeProvider();
        await using var engine = new InferenceEngine(
            new EngineOptions { ModelRepository = _repo.Root, ControlMode = ModelControlMode.Poll, PollInterval = TimeSpan.FromSeconds(15), TimeProvider = time },
            [new OnnxBackend()],
            NullLogger.Instance);
        await engine.StartAsync(CancellationToken.None);
        engine.StartWatching();
        _repo.AddModel("identity_fp32");

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!engine.IsModelReady("identity_fp32", null))
        {
            Assert.True(DateTime.UtcNow < deadline, "the poll did not load the new model folder");
            time.Advance(TimeSpan.FromSeconds(15));
            await Task.Delay(20);
        }

        Assert.IsType<FolderModelSource>(engine.Source);
        Assert.Equal(["identity_fp32", "simple"], engine.GetRepositoryIndex(readyOnly: true).Select(r => r.Name));
    }

    [Fact]
    public void Constructor_PollModeWithoutAPositiveInterval_ThrowsNamingTheFlag()
    {
        var e = Assert.Throws<ArgumentException>(() => new InferenceEngine(
            new EngineOptions { ModelRepository = _repo.Root, ControlMode = ModelControlMode.Poll, PollInterval = TimeSpan.Zero },
            [new OnnxBackend()],
            NullLogger.Instance));

        Assert.Contains("--repository-poll-secs must be positive", e.Message);
    }

    private static async Task<InferenceEngine> StartExplicitAsync(IModelSource source)
    {
        var engine = new InferenceEngine(
            new EngineOptions { ModelRepository = "unused", ControlMode = ModelControlMode.Explicit },
            [new OnnxBackend()],
            NullLogger.Instance,
            source: source);
        await engine.StartAsync(CancellationToken.None);
        return engine;
    }

    private static string SimpleConfig(int maxBatchSize) =>
        "{\"name\":\"simple\",\"platform\":\"onnxruntime_onnx\",\"max_batch_size\":" + maxBatchSize + "," +
        "\"input\":[{\"name\":\"INPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},{\"name\":\"INPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]," +
        "\"output\":[{\"name\":\"OUTPUT0\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]},{\"name\":\"OUTPUT1\",\"data_type\":\"TYPE_INT32\",\"dims\":[16]}]}";

    /// <summary>Offers the models of a folder, each with the one configuration it decides; never changes.</summary>
    private sealed class FixedConfigSource(string root, string configJson) : IModelSource
    {
        private readonly ModelRepository _folder = new(root);

        public IReadOnlyList<string> ListModels() => _folder.ListModels();

        public bool Contains(string model) => _folder.Contains(model);

        public Result<ModelSourceLocation> Locate(string model) =>
            _folder.Contains(model) ? Result<ModelSourceLocation>.Ok(new ModelSourceLocation(_folder, configJson)) : InferenceError.NotFound($"no '{model}'");

        public Task StartAsync(IModelSourceSink sink, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WatchAsync(IModelSourceSink sink, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
