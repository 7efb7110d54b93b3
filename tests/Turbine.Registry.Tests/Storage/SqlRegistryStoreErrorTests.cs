using Turbine.Registry.Artifacts;
using Turbine.Registry.Domain;
using Turbine.Registry.Storage;

namespace Turbine.Registry.Tests.Storage;

/// <summary>
/// The store answers expected failures as <see cref="RegistryError"/> values (what the REST layer turns into
/// <c>{"error","code"}</c>), and a failed change leaves nothing behind: no row, no audit entry, no version number used.
/// </summary>
public sealed class SqlRegistryStoreErrorTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempFolder _folder = new("turbine-registry-store");
    private IRegistryStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = RegistryStoreFactory.Create(_folder.Path, null, TimeProvider.System);
        await _store.InitializeAsync(None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task CreateModelAsync_NameTaken_ConflictValueAndNoSecondAuditEntry()
    {
        Assert.True((await _store.CreateModelAsync("taken", "first", "owner", new Dictionary<string, string>(), "alice", None)).IsOk);

        var second = await _store.CreateModelAsync("taken", "second", "owner", new Dictionary<string, string>(), "bob", None);

        Assert.Equal(new RegistryError(409, "already_exists", "model 'taken' already exists"), second.Error);
        Assert.Equal("first", (await _store.GetModelAsync("taken", None))!.Description);
        Assert.Equal(["alice"], (await _store.ListAuditAsync("taken", 10, null, None)).Select(e => e.Actor));
    }

    [Fact]
    public async Task CreateVersionAsync_ParentVersionMissing_InvalidLineageValueAndNumberNotUsed()
    {
        await _store.CreateModelAsync("lineage", "", "owner", new Dictionary<string, string>(), "alice", None);

        var orphan = await _store.CreateVersionAsync("lineage", Version(parent: 7), "alice", None);
        var first = await _store.CreateVersionAsync("lineage", Version(parent: null), "alice", None);

        Assert.Equal(new RegistryError(400, "invalid_lineage", "lineage.parentVersion 7 is not an existing version of 'lineage' (1..0)"), orphan.Error);
        Assert.Equal(1, first.Value!.Version);
    }

    [Fact]
    public async Task UnknownModelOrVersion_NotFoundValuesAndNothingWritten()
    {
        await _store.CreateModelAsync("known", "", "owner", new Dictionary<string, string>(), "alice", None);

        var update = await _store.UpdateModelAsync("missing", "d", null, null, "alice", None);
        var push = await _store.CreateVersionAsync("missing", Version(parent: null), "alice", None);
        var card = await _store.GetCardAsync("known", 3, None);
        var setCard = await _store.SetCardAsync("known", 3, "# card", "alice", None);
        var stage = await _store.SetStageAsync("known", 3, ModelStage.Production, archiveExisting: false, "alice", None);
        var alias = await _store.SetAliasAsync("known", "champion", 3, "alice", None);

        Assert.Equal(new RegistryError(404, "not_found", "model 'missing' not found"), update.Error);
        Assert.Equal(new RegistryError(404, "not_found", "model 'missing' not found"), push.Error);
        var versionNotFound = new RegistryError(404, "not_found", "model 'known' version 3 not found");
        Assert.All(new[] { card.Error, setCard, stage.Error, alias }, error => Assert.Equal(versionNotFound, error));
        Assert.Null(await _store.FindAliasAsync("known", "champion", None));
        Assert.Equal(["model.create"], (await _store.ListAuditAsync(null, 10, null, None)).Select(e => e.Action));
    }

    private static NewModelVersion Version(long? parent) =>
        new(new VersionArtifact(new string('a', 64), 3, ArtifactPacking.File, "model.onnx"), "", "unknown", null,
            new Dictionary<string, double>(), new Dictionary<string, string>(), VersionLineage.Empty with { ParentVersion = parent });
}
