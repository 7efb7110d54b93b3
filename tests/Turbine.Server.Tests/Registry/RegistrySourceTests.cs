using Turbine.Core;
using Turbine.Core.Config;

namespace Turbine.Server.Tests.Registry;

/// <summary>RegistrySync as the engine's model source, read the way the engine reads it, against a real registry.</summary>
public sealed class RegistrySourceTests : RegistrySyncTestBase
{
    [Fact]
    public async Task Locate_ServedReference_ResolvesToTheCacheRepositoryWithTheConfigOfTheServedVersion()
    {
        await PushAsync("fraud", 0f, "Production");
        var (engine, sync) = await StartSyncAsync(["fraud@production"]);
        Assert.Same(sync, engine.Source);

        Assert.Equal(["fraud"], sync.ListModels());
        Assert.True(sync.Contains("fraud"));
        Assert.Equal((1L, 1L), LocatedVersion(sync, "fraud"));

        await PushAsync("fraud", 1f, "Production");
        Assert.Empty(await sync.SyncOnceAsync(CancellationToken.None));

        Assert.Equal((2L, 2L), LocatedVersion(sync, "fraud"));
        Assert.Equal([2L], Serving(engine, "fraud"));
    }

    [Fact]
    public async Task Locate_ModelNotServed_NotFoundNamingTheCacheRepository()
    {
        await PushAsync("fraud", 0f, "Production");
        var (engine, sync) = await StartSyncAsync(["fraud@production"]);

        var located = sync.Locate("churn");

        Assert.False(located.IsOk);
        Assert.Equal(StatusCode.NotFound, located.Error.Code);
        Assert.Equal($"failed to load 'churn': no model folder 'churn' in repository '{Path.Combine(Cache, "repository")}'", located.Error.Message);
        Assert.False(sync.Contains("churn"));
        Assert.Equal(located.Error.Message, (await engine.LoadModelAsync("churn", null, CancellationToken.None))?.Message);
    }

    /// <summary>The one version the located config selects, and the newest version folder the located repository holds.</summary>
    private (long Selected, long Folder) LocatedVersion(Turbine.Server.Registry.RegistrySync sync, string model)
    {
        var located = sync.Locate(model);
        Assert.True(located.IsOk, located.Error?.Message);
        Assert.Equal(Path.Combine(Cache, "repository"), located.Value.Repository.Root);
        var config = ModelConfigJson.Parse(Assert.IsType<string>(located.Value.ConfigJson), "located config");
        Assert.Equal(model, config.Name);
        Assert.Equal(ModelVersionPolicyKind.Specific, config.VersionPolicy.Kind);
        return (Assert.Single(config.VersionPolicy.Versions), located.Value.Repository.ListVersions(model)[^1]);
    }
}
