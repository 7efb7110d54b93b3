using Turbine.Core.Lifecycle;
using Turbine.Core.Tests.TestSupport;

namespace Turbine.Core.Tests.Lifecycle;

/// <summary>Version policies with real ONNX Runtime sessions; versions 1, 2, 3 are copies of the sample.</summary>
public sealed class VersionPolicyTests : IDisposable
{
    private readonly TempModelRepository _repo = new("simple");

    public VersionPolicyTests() => _repo.AddVersions("simple", 2, 3);

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Load_DefaultPolicy_ServesLatestVersionOnly()
    {
        await using var engine = await TestEngine.StartAsync(_repo);

        Assert.Equal([3L], engine.Models.Serving("simple").Select(v => v.Version));
        using var response = await TestEngine.InferOkAsync(engine, TestEngine.Simple());
        Assert.Equal(3, response.ModelVersion);
        using var old = TestEngine.Simple(version: 1);
        var error = await TestEngine.InferErrorAsync(engine, old);
        Assert.Equal(StatusCode.Unavailable, error.Code);
        Assert.StartsWith("model 'simple' version 1 is not ready", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_LatestTwo_ServesTwoNewest()
    {
        _repo.AppendConfig("simple", "version_policy { latest { num_versions: 2 } }");
        await using var engine = await TestEngine.StartAsync(_repo);

        Assert.Equal([2L, 3L], engine.Models.Serving("simple").Select(v => v.Version));
        Assert.True(engine.IsModelReady("simple", 2));
        Assert.False(engine.IsModelReady("simple", 1));
    }

    [Fact]
    public async Task Load_All_ServesEveryVersionAndRoutesByVersion()
    {
        _repo.AppendConfig("simple", "version_policy { all { } }");
        await using var engine = await TestEngine.StartAsync(_repo);

        Assert.Equal([1L, 2L, 3L], engine.Models.Serving("simple").Select(v => v.Version));
        using var request = TestEngine.Simple(version: 2);
        using var response = await TestEngine.InferOkAsync(engine, request);
        Assert.Equal(2, response.ModelVersion);
    }

    [Fact]
    public async Task Load_Specific_ServesListedVersions()
    {
        _repo.AppendConfig("simple", "version_policy { specific { versions: [1, 3] } }");
        await using var engine = await TestEngine.StartAsync(_repo);

        Assert.Equal([1L, 3L], engine.Models.Serving("simple").Select(v => v.Version));
        var index = engine.GetRepositoryIndex(readyOnly: false).Where(r => r.Name == "simple").ToList();
        Assert.Equal([1L, 3L], index.Select(r => r.Version!.Value));
        Assert.All(index, r => Assert.Equal(ModelReadyState.Ready, r.State));
    }

    [Fact]
    public async Task Load_SpecificVersionNotOnDisk_UnavailableNamingVersionsAndPolicy()
    {
        _repo.AppendConfig("simple", "version_policy { specific { versions: [7] } }");
        await using var engine = await TestEngine.StartAsync(_repo, ModelControlMode.Explicit);

        var error = await engine.LoadModelAsync("simple", null, CancellationToken.None);

        Assert.NotNull(error);
        Assert.Equal(StatusCode.Unavailable, error.Code);
        Assert.Equal("failed to load 'simple': no version is available (version folders on disk: [1,2,3], policy specific [7])", error.Message);
        Assert.False(engine.IsModelReady("simple", null));
    }
}
