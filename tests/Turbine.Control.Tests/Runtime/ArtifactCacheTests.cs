using Turbine.Control.Runtime;
using static Turbine.Control.Tests.Runtime.ResolverTestKit;

namespace Turbine.Control.Tests.Runtime;

/// <summary>The bounded cache: least recently used folders go, protected and recently resolved ones stay.</summary>
public sealed class ArtifactCacheTests : IDisposable
{
    private readonly TempFolder _folder = new("turbine-artifact-cache");
    private readonly FakeTime _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));

    public void Dispose() => _folder.Dispose();

    private string Root => Path.Combine(_folder.Path, "models");

    private RevisionResolver Resolver() => new(
        new ResolverOptions
        {
            AllowedFileRoots = [Root],
            CacheDirectory = Path.Combine(_folder.Path, "cache"),
            MaxArtifactBytes = 1000,
            CacheMaxBytes = 1000,
            CacheGracePeriod = TimeSpan.FromMinutes(10),
        },
        _time);

    private async Task<RevisionModel> ResolveAsync(RevisionResolver resolver, string name, char fill)
    {
        var model = Path.Combine(Root, name);
        Write(model, "1/model.onnx", new string(fill, 600));
        return AssertOk(await resolver.ResolveAsync(Spec("file://" + model), CancellationToken.None));
    }

    private static string Folder(RevisionModel revision) => ((FolderModelLocation)revision.Location).RepositoryPath;

    [Fact]
    public async Task Commit_OverTheLimit_EvictsTheLeastRecentlyUsedFolder()
    {
        using var resolver = Resolver();
        var a = await ResolveAsync(resolver, "a", 'a');
        _time.Now += TimeSpan.FromMinutes(11);

        var b = await ResolveAsync(resolver, "b", 'b');

        Assert.False(Directory.Exists(Folder(a)), "the older folder should have been evicted");
        Assert.True(Directory.Exists(Folder(b)));
        Assert.Equal(600, resolver.Cache.TotalBytes);
        Assert.False(Directory.Exists(Path.Combine(resolver.Cache.Directory, ".trash")) && Directory.EnumerateFileSystemEntries(Path.Combine(resolver.Cache.Directory, ".trash")).Any());

        // Evicted, then asked for again: fetched again, same revision.
        _time.Now += TimeSpan.FromMinutes(11);
        var again = await ResolveAsync(resolver, "a", 'a');
        Assert.Equal(a.RevisionId, again.RevisionId);
        Assert.True(Directory.Exists(Folder(again)));
    }

    [Fact]
    public async Task Commit_OverTheLimit_KeepsProtectedRevisions()
    {
        using var resolver = Resolver();
        var a = await ResolveAsync(resolver, "a", 'a');
        resolver.Cache.Protect([a.RevisionId, "fraud-v3"]);
        _time.Now += TimeSpan.FromMinutes(11);

        var b = await ResolveAsync(resolver, "b", 'b');

        Assert.True(Directory.Exists(Folder(a)), "a protected folder was evicted");
        Assert.True(Directory.Exists(Folder(b)));
        Assert.Equal(1200, resolver.Cache.TotalBytes);

        // Unprotected again: the next commit over the limit evicts it.
        resolver.Cache.Protect([b.RevisionId]);
        _time.Now += TimeSpan.FromMinutes(11);
        var c = await ResolveAsync(resolver, "c", 'c');
        Assert.False(Directory.Exists(Folder(a)));
        Assert.True(Directory.Exists(Folder(b)));
        Assert.True(Directory.Exists(Folder(c)));
    }

    [Fact]
    public async Task Commit_OverTheLimit_KeepsFoldersWithinTheGracePeriod()
    {
        using var resolver = Resolver();
        var a = await ResolveAsync(resolver, "a", 'a');
        _time.Now += TimeSpan.FromMinutes(5);

        var b = await ResolveAsync(resolver, "b", 'b');

        Assert.True(Directory.Exists(Folder(a)), "a folder resolved 5 minutes ago (grace 10) was evicted");
        Assert.True(Directory.Exists(Folder(b)));
    }

    [Fact]
    public async Task Constructor_ExistingCache_CountsItsFoldersAndClearsStaging()
    {
        string folder;
        using (var resolver = Resolver())
        {
            folder = Folder(await ResolveAsync(resolver, "a", 'a'));
        }

        var stale = Path.Combine(_folder.Path, "cache", ".staging", "leftover");
        Directory.CreateDirectory(stale);
        using var reopened = Resolver();

        Assert.Equal(600, reopened.Cache.TotalBytes);
        Assert.Equal(Path.GetFileName(folder)["sha256-".Length..], Assert.Single(reopened.Cache.Digests));
        Assert.False(Directory.Exists(stale));
    }
}
