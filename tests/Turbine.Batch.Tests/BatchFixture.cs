using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.Onnx;
using Turbine.Batch.Scoring;
using Turbine.Core;
using Turbine.Core.Lifecycle;
using Turbine.Samples;

namespace Turbine.Batch.Tests;

/// <summary>The sample repository (simple, iris, simple_identity…) and one engine with them loaded, shared by a test class.</summary>
public sealed class BatchFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new("turbine-batch-repo");

    public string Repository => _folder.File("repo");

    public InferenceEngine Engine { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        SampleRepository.Create(Repository);
        Engine = new InferenceEngine(
            new EngineOptions { ModelRepository = Repository, ControlMode = ModelControlMode.Explicit, StartupModels = ["simple", "iris", "simple_identity"], ResponseCacheBytes = 0 },
            [new OnnxBackend()], NullLogger.Instance);
        await Engine.StartAsync(CancellationToken.None);
    }

    public IBatchScorer Scorer(string model) => new EngineScorer(Engine, model);

    public async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        _folder.Dispose();
    }
}
