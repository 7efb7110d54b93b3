using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.Onnx;
using Turbine.Core.Lifecycle;
using Turbine.Core.Repository;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Lifecycle;

/// <summary>
/// Loads with Triton's <c>file:</c> override write a private folder (never the repository) that lives exactly as long
/// as something serves from it; strict readiness follows the models meant to load.
/// </summary>
public sealed class FileOverrideAndReadinessTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TempModelRepository _repo = new("simple", "identity_fp32");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task LoadAsync_FileOverride_PrivateFolderReplacedOnReloadDeletedOnUnloadAndDispose()
    {
        var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);
        var simple = await File.ReadAllBytesAsync(Path.Combine(_repo.VersionDir("simple", 1), "model.onnx"));
        var before = Directory.GetFileSystemEntries(_repo.Root, "*", SearchOption.AllDirectories).Length;

        Assert.Null(await engine.LoadModelAsync("over", "{\"backend\":\"onnxruntime\",\"max_batch_size\":8}", [new ModelFileOverride("1/model.onnx", simple)], CancellationToken.None));
        var root = engine.Models.Overrides.Root!;
        var first = Assert.Single(Directory.GetDirectories(root));
        Assert.Equal(simple, await File.ReadAllBytesAsync(Path.Combine(first, "over", "1", "model.onnx")));
        Assert.False(root.StartsWith(_repo.Root, StringComparison.Ordinal));
        Assert.Equal(before, Directory.GetFileSystemEntries(_repo.Root, "*", SearchOption.AllDirectories).Length);
        Assert.True(engine.IsModelReady("over", 1));

        Assert.Null(await engine.LoadModelAsync("over", "{\"backend\":\"onnxruntime\",\"max_batch_size\":8}", [new ModelFileOverride("1/model.onnx", simple)], CancellationToken.None));
        await Poll.UntilOrFailAsync(
            () => !Directory.Exists(first),
            Deadline,
            () => $"the first override folder outlived the reload; folders now: [{string.Join(", ", Directory.GetDirectories(root))}], serving: [{string.Join(", ", engine.Models.Serving("over").Select(v => $"v{v.Version} in flight {v.InFlight}"))}]");
        var second = Assert.Single(Directory.GetDirectories(root));
        Assert.Contains(engine.GetRepositoryIndex(true), r => r.Name == "over" && r.Version == 1);

        Assert.Null(await engine.UnloadModelAsync("over", CancellationToken.None));
        await WaitUntilAsync(() => !Directory.Exists(second));

        Assert.Null(await engine.LoadModelAsync("over", "{\"backend\":\"onnxruntime\",\"max_batch_size\":8}", [new ModelFileOverride("1/model.onnx", simple)], CancellationToken.None));
        await engine.DisposeAsync();
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public async Task LoadAsync_OverrideModelFailsToLoad_FolderDeletedAndErrorNamesModel()
    {
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);

        var error = await engine.LoadModelAsync("junk", "{\"backend\":\"onnxruntime\"}", [new ModelFileOverride("1/model.onnx", "not an onnx model"u8.ToArray())], CancellationToken.None);

        Assert.NotNull(error);
        Assert.Contains("junk", error.Message, StringComparison.Ordinal);
        await WaitUntilAsync(() => Directory.GetDirectories(engine.Models.Overrides.Root!).Length == 0);
    }

    [Fact]
    public async Task IsReady_StrictAndAWantedModelFailed_FalseUntilUnloaded()
    {
        _repo.CorruptModelFile("identity_fp32", 1);
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit, "simple", "identity_fp32");

        Assert.False(engine.IsReady);
        var failed = Assert.Single(engine.Models.NotReadyModels());
        Assert.Equal("identity_fp32", failed.Model);
        Assert.NotEmpty(failed.Reason);

        Assert.Null(await engine.UnloadModelAsync("identity_fp32", CancellationToken.None));
        Assert.True(engine.IsReady);
    }

    [Fact]
    public async Task IsReady_NotStrictAndAModelFailed_True()
    {
        _repo.CorruptModelFile("identity_fp32", 1);
        await using var engine = new InferenceEngine(
            new EngineOptions { ModelRepository = _repo.Root, StrictReadiness = false },
            [new OnnxBackend()],
            NullLogger.Instance);
        await engine.StartAsync(CancellationToken.None);

        Assert.True(engine.IsReady);
        Assert.Single(engine.Models.NotReadyModels());
    }

    private static Task WaitUntilAsync(Func<bool> condition) =>
        Poll.UntilOrFailAsync(condition, Deadline, "condition not met before the deadline");
}
