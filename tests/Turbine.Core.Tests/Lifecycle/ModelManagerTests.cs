using Turbine.Core.Lifecycle;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Lifecycle;

/// <summary>Explicit load/unload, the repository index and polling, with real ONNX Runtime sessions.</summary>
public sealed class ModelManagerTests : IDisposable
{
    private readonly TempModelRepository _repo = new("simple", "identity_fp32");

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Index_ExplicitModeNothingLoaded_RowsWithNameOnly()
    {
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);

        var index = engine.GetRepositoryIndex(readyOnly: false);

        Assert.Equal(
            [new RepositoryIndexEntry("identity_fp32", null, null, ""), new RepositoryIndexEntry("simple", null, null, "")],
            index);
        Assert.Empty(engine.GetRepositoryIndex(readyOnly: true));
        Assert.False(engine.IsModelReady("simple", null));
    }

    [Fact]
    public async Task LoadModelAsync_Explicit_LoadsAndIndexShowsReady()
    {
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);

        Assert.Null(await engine.LoadModelAsync("simple", null, CancellationToken.None));

        Assert.True(engine.IsModelReady("simple", 1));
        Assert.Equal([new RepositoryIndexEntry("simple", 1, ModelReadyState.Ready, "")], engine.GetRepositoryIndex(readyOnly: true).Select(r => r with { MemoryBytes = null, Residency = null }));
        using var request = TestEngine.Simple();
        using var response = await TestEngine.InferOkAsync(engine, request);
        Assert.Equal(1, response.ModelVersion);
    }

    [Fact]
    public async Task StartAsync_ExplicitStartupModel_LoadsOnlyThatModel()
    {
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit, "identity_fp32");

        Assert.True(engine.IsModelReady("identity_fp32", null));
        Assert.False(engine.IsModelReady("simple", null));
    }

    [Fact]
    public async Task UnloadModelAsync_Loaded_UnavailableWithReason()
    {
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit, "simple");
        var version = engine.Models.Serving("simple").Single();

        Assert.Null(await engine.UnloadModelAsync("simple", CancellationToken.None));

        Assert.True(version.Drained.IsCompleted);
        Assert.False(engine.IsModelReady("simple", null));
        Assert.Contains(new RepositoryIndexEntry("simple", 1, ModelReadyState.Unavailable, "unloaded"), engine.GetRepositoryIndex(readyOnly: false));
        using var request = TestEngine.Simple();
        var error = await TestEngine.InferErrorAsync(engine, request);
        Assert.Equal(StatusCode.Unavailable, error.Code);
        Assert.Equal("model 'simple' is not ready: unloaded", error.Message);
    }

    [Fact]
    public async Task UnloadModelAsync_UnknownModel_NotFound()
    {
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);

        var error = await engine.UnloadModelAsync("nope", CancellationToken.None);

        Assert.Equal(new InferenceError(StatusCode.NotFound, "failed to unload 'nope': unknown model"), error);
    }

    [Fact]
    public async Task LoadModelAsync_UnknownModel_NotFoundNamingRepository()
    {
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);

        var error = await engine.LoadModelAsync("nope", null, CancellationToken.None);

        Assert.NotNull(error);
        Assert.Equal(StatusCode.NotFound, error.Code);
        Assert.Equal($"failed to load 'nope': no model folder 'nope' in repository '{_repo.Root}'", error.Message);
    }

    [Fact]
    public async Task LoadModelAsync_NoneMode_Unsupported()
    {
        await using var engine = await TestEngine.StartAsync(_repo);

        var error = await engine.LoadModelAsync("simple", null, CancellationToken.None);

        Assert.Equal(StatusCode.Unsupported, error?.Code);
        Assert.Equal(StatusCode.Unsupported, (await engine.UnloadModelAsync("simple", CancellationToken.None))?.Code);
        Assert.True(engine.IsModelReady("simple", null));
    }

    [Fact]
    public async Task Load_BrokenConfigAtStart_IndexUnavailableWithReason()
    {
        _repo.WriteConfig("simple", "name: \"simple\"\nmax_batch_size: [oops\n");
        await using var engine = await TestEngine.StartAsync(_repo);

        var row = Assert.Single(engine.GetRepositoryIndex(readyOnly: false), r => r.Name == "simple");

        Assert.Equal(1, row.Version);
        Assert.Equal(ModelReadyState.Unavailable, row.State);
        Assert.StartsWith("failed to load 'simple': ", row.Reason, StringComparison.Ordinal);
        Assert.Contains("config.pbtxt", row.Reason, StringComparison.Ordinal);
        Assert.True(engine.IsModelReady("identity_fp32", null));
    }

    [Fact]
    public async Task PollOnceAsync_NothingChanged_ActsOnNothing()
    {
        await using var engine = await TestEngine.StartAsync(_repo);

        Assert.Empty(await engine.Models.PollOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task PollOnceAsync_NewVersionFolder_SwapsToIt()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        _repo.AddVersions("simple", 2);

        Assert.Equal(["simple"], await engine.Models.PollOnceAsync(CancellationToken.None));

        Assert.Equal([2L], engine.Models.Serving("simple").Select(v => v.Version));
        var rows = engine.GetRepositoryIndex(readyOnly: false).Where(r => r.Name == "simple").Select(r => r with { MemoryBytes = null, Residency = null });
        Assert.Equal(
            [new RepositoryIndexEntry("simple", 1, ModelReadyState.Unavailable, "unloaded"), new RepositoryIndexEntry("simple", 2, ModelReadyState.Ready, "")],
            rows);
    }

    [Fact]
    public async Task PollOnceAsync_NewModelFolder_LoadsIt()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        _repo.AddModel("simple_int8");

        Assert.Equal(["simple_int8"], await engine.Models.PollOnceAsync(CancellationToken.None));

        Assert.True(engine.IsModelReady("simple_int8", 1));
    }

    [Fact]
    public async Task PollOnceAsync_RemovedModelFolder_UnloadsIt()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        var version = engine.Models.Serving("identity_fp32").Single();
        _repo.RemoveModel("identity_fp32");

        Assert.Equal(["identity_fp32"], await engine.Models.PollOnceAsync(CancellationToken.None));

        Assert.False(engine.IsModelReady("identity_fp32", null));
        Assert.True(version.Drained.IsCompleted);
        Assert.True(engine.IsModelReady("simple", null));
    }

    [Fact]
    public async Task PollOnceAsync_BrokenConfigOnReload_OldVersionKeepsServingAndIndexShowsReason()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        var before = engine.Models.Serving("simple").Single();
        _repo.WriteConfig("simple", "name: \"simple\"\nthis is { not a config");

        await engine.Models.PollOnceAsync(CancellationToken.None);

        Assert.Same(before, engine.Models.Serving("simple").Single());
        Assert.False(before.Drained.IsCompleted);
        using var request = TestEngine.Simple();
        using var response = await TestEngine.InferOkAsync(engine, request);
        Assert.Equal(1, response.ModelVersion);
        var row = Assert.Single(engine.GetRepositoryIndex(readyOnly: false), r => r.Name == "simple");
        Assert.Equal(ModelReadyState.Ready, row.State);
        Assert.StartsWith("reload failed, previous load still serving: failed to load 'simple': ", row.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PollOnceAsync_NewVersionWithCorruptModel_PreviousVersionKeepsServing()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        _repo.AddVersions("simple", 2);
        _repo.CorruptModelFile("simple", 2);

        await engine.Models.PollOnceAsync(CancellationToken.None);

        Assert.Equal([1L], engine.Models.Serving("simple").Select(v => v.Version));
        using var request = TestEngine.Simple();
        using var response = await TestEngine.InferOkAsync(engine, request);
        Assert.Equal(1, response.ModelVersion);
        var rows = engine.GetRepositoryIndex(readyOnly: false).Where(r => r.Name == "simple").ToList();
        Assert.Equal(ModelReadyState.Ready, Assert.Single(rows, r => r.Version == 1).State);
        var failed = Assert.Single(rows, r => r.Version == 2);
        Assert.Equal(ModelReadyState.Unavailable, failed.State);
        Assert.Contains(Path.Combine(_repo.VersionDir("simple", 2), "model.onnx"), failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_OneVersionCorrupt_OthersServeAndIndexNamesFailure()
    {
        _repo.AddVersions("simple", 2, 3);
        _repo.CorruptModelFile("simple", 2);
        _repo.AppendConfig("simple", "version_policy { all { } }");
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);

        var error = await engine.LoadModelAsync("simple", null, CancellationToken.None);

        Assert.NotNull(error);
        Assert.StartsWith("failed to load 'simple' version 2: ONNX Runtime failed to create a session", error.Message, StringComparison.Ordinal);
        Assert.Equal([1L, 3L], engine.Models.Serving("simple").Select(v => v.Version));
        var row = Assert.Single(engine.GetRepositoryIndex(readyOnly: false), r => r.Name == "simple" && r.Version == 2);
        Assert.Equal(ModelReadyState.Unavailable, row.State);
        Assert.Contains("ONNX Runtime failed to create a session", row.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PollOnceAsync_ServingVersionFileCorrupted_PreviousLoadOfThatVersionKeepsServing()
    {
        _repo.AddVersions("simple", 2, 3);
        _repo.AppendConfig("simple", "version_policy { all { } }");
        await using var engine = await TestEngine.StartAsync(_repo);
        var v2 = engine.Models.Serving("simple").Single(v => v.Version == 2);
        _repo.CorruptModelFile("simple", 2);

        await engine.Models.PollOnceAsync(CancellationToken.None);

        Assert.Contains(v2, engine.Models.Serving("simple"));
        using var request = TestEngine.Simple(version: 2);
        using var response = await TestEngine.InferOkAsync(engine, request);
        Assert.Equal(2, response.ModelVersion);
        var row = Assert.Single(engine.GetRepositoryIndex(readyOnly: false), r => r.Name == "simple" && r.Version == 2);
        Assert.Equal(ModelReadyState.Ready, row.State);
        Assert.StartsWith("reload failed, previous load still serving: ", row.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PollOnceAsync_ReloadWhileResponseHeld_OldVersionDrainsOnlyAfterDisposal()
    {
        await using var engine = await TestEngine.StartAsync(_repo);
        var v1 = engine.Models.Serving("simple").Single();
        using var request = TestEngine.Simple(batch: 2);
        var held = await TestEngine.InferOkAsync(engine, request);
        try
        {
            _repo.AddVersions("simple", 2);
            await engine.Models.PollOnceAsync(CancellationToken.None);

            Assert.Equal([2L], engine.Models.Serving("simple").Select(v => v.Version));
            Assert.False(v1.Drained.IsCompleted);

            // The held response still reads version 1's output memory, and new requests run on version 2.
            Assert.Equal(1, held.ModelVersion);
            var sum = TestEngine.ReadInt32s(held.Outputs.Single(o => o.Name == "OUTPUT0"));
            Assert.Equal(Enumerable.Range(0, 32).Select(i => i + (2 * (i % 16)) + 1), sum);
            using var next = TestEngine.Simple();
            using var nextResponse = await TestEngine.InferOkAsync(engine, next);
            Assert.Equal(2, nextResponse.ModelVersion);
        }
        finally
        {
            held.Dispose();
        }

        Assert.True(v1.Drained.IsCompleted);
    }
}
