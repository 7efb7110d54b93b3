using Turbine.Control.Runtime;
using Turbine.Control.Specs;
using Turbine.Control.Storage;
using static Turbine.Control.Tests.Runtime.ResolverTestKit;

namespace Turbine.Control.Tests.Runtime;

/// <summary>file:// URIs with real folders, links and FIFOs in temp folders.</summary>
public sealed class ResolverFileTests : IDisposable
{
    private readonly TempFolder _folder = new("turbine-resolver-file");

    public ResolverFileTests()
    {
        Root = Path.Combine(_folder.Path, "models");
        Outside = Path.Combine(_folder.Path, "outside");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
    }

    private string Root { get; }

    private string Outside { get; }

    private string CacheDirectory => Path.Combine(_folder.Path, "cache");

    public void Dispose() => _folder.Dispose();

    private RevisionResolver Resolver(Func<ResolverOptions, ResolverOptions>? change = null)
    {
        var options = new ResolverOptions { AllowedFileRoots = [Root], CacheDirectory = CacheDirectory };
        return new RevisionResolver(change is null ? options : change(options));
    }

    private static string Uri(string path) => "file://" + path;

    /// <summary>A Triton model folder: config.pbtxt and version 1 with a model file.</summary>
    private static string ModelFolder(string path, string content = "onnx-bytes")
    {
        Write(path, "config.pbtxt", "backend: \"onnxruntime\"\n");
        Write(path, "1/model.onnx", content);
        return path;
    }

    [Fact]
    public async Task ResolveAsync_NoAllowedRoots_RefusesNamingTheOption()
    {
        ModelFolder(Path.Combine(Root, "fraud"));
        using var resolver = Resolver(o => o with { AllowedFileRoots = [] });

        AssertFails(await resolver.ResolveAsync(Spec(Uri(Path.Combine(Root, "fraud"))), CancellationToken.None), ControlErrorKind.Invalid, "AllowedFileRoots");
        Assert.Empty(resolver.Cache.Digests);
    }

    [Fact]
    public async Task ResolveAsync_PathOutsideTheRoots_IsRefused()
    {
        ModelFolder(Path.Combine(Outside, "fraud"));
        using var resolver = Resolver();

        AssertFails(await resolver.ResolveAsync(Spec(Uri(Path.Combine(Outside, "fraud"))), CancellationToken.None), ControlErrorKind.Invalid, "outside the allowed folders");
        Assert.Empty(resolver.Cache.Digests);
    }

    [Fact]
    public async Task ResolveAsync_DotDotPastTheParser_IsResolvedAndRefused()
    {
        ModelFolder(Path.Combine(Outside, "fraud"));
        using var resolver = Resolver();

        // The parser refuses '..'; a FileStorageUri built another way is still checked after resolving.
        var sneaky = new FileStorageUri("file://sneaky", Root + "/../outside/fraud");
        AssertFails(await resolver.ResolveAsync(Spec(sneaky), CancellationToken.None), ControlErrorKind.Invalid, "outside the allowed folders");
        Assert.Null(StorageUri.TryParse(Uri(Root + "/../outside/fraud"), out _));
    }

    [Fact]
    public async Task ResolveAsync_SymlinkInTheRootPointingOutside_IsRefused()
    {
        ModelFolder(Path.Combine(Outside, "fraud"));
        File.CreateSymbolicLink(Path.Combine(Root, "escape"), Path.Combine(Outside, "fraud"));
        using var resolver = Resolver();

        AssertFails(await resolver.ResolveAsync(Spec(Uri(Path.Combine(Root, "escape"))), CancellationToken.None), ControlErrorKind.Invalid, "outside the allowed folders");
    }

    [Fact]
    public async Task ResolveAsync_SymlinkInsideTheModelFolder_IsRefused()
    {
        var model = ModelFolder(Path.Combine(Root, "fraud"));
        var secret = Write(Outside, "secret.txt", "do not copy");
        File.CreateSymbolicLink(Path.Combine(model, "labels.txt"), secret);
        using var resolver = Resolver();

        AssertFails(await resolver.ResolveAsync(Spec(Uri(model)), CancellationToken.None), ControlErrorKind.Invalid, "'labels.txt' is a symbolic link");
        Assert.Empty(resolver.Cache.Digests);
    }

    [Fact]
    public async Task ResolveAsync_FifoInsideTheFolder_IsRefusedWithoutBlocking()
    {
        var model = ModelFolder(Path.Combine(Root, "fraud"));
        MakeFifo(Path.Combine(model, "1", "pipe"));
        using var resolver = Resolver();

        AssertFails(await resolver.ResolveAsync(Spec(Uri(model)), CancellationToken.None), ControlErrorKind.Invalid, "'1/pipe' is not a regular file");
    }

    [Fact]
    public async Task ResolveAsync_FifoAsTheUri_IsRefused()
    {
        MakeFifo(Path.Combine(Root, "model.onnx"));
        using var resolver = Resolver();

        AssertFails(await resolver.ResolveAsync(Spec(Uri(Path.Combine(Root, "model.onnx"))), CancellationToken.None), ControlErrorKind.Invalid, "neither a regular file nor a folder");
    }

    [Fact]
    public async Task ResolveAsync_TooManyFiles_IsRefusedNamingTheLimit()
    {
        var model = ModelFolder(Path.Combine(Root, "fraud"));
        for (var i = 0; i < 5; i++)
        {
            Write(model, $"1/extra{i}.txt", "x");
        }

        using var resolver = Resolver(o => o with { MaxArtifactFiles = 6 });

        AssertFails(await resolver.ResolveAsync(Spec(Uri(model)), CancellationToken.None), ControlErrorKind.Invalid, "more than 6 files", "MaxArtifactFiles");
    }

    [Fact]
    public async Task ResolveAsync_TooManyBytes_IsRefusedNamingTheLimit()
    {
        var model = ModelFolder(Path.Combine(Root, "fraud"), new string('x', 2000));
        using var resolver = Resolver(o => o with { MaxArtifactBytes = 1000, CacheMaxBytes = 1000 });

        AssertFails(await resolver.ResolveAsync(Spec(Uri(model)), CancellationToken.None), ControlErrorKind.Invalid, "more than 1000 bytes", "MaxArtifactBytes");
        Assert.Empty(resolver.Cache.Digests);
    }

    [Fact]
    public async Task ResolveAsync_TooDeep_IsRefusedNamingTheLimit()
    {
        var model = ModelFolder(Path.Combine(Root, "fraud"));
        Write(model, "1/a/b/c/d/e.txt", "deep");
        using var resolver = Resolver(o => o with { MaxArtifactDepth = 3 });

        AssertFails(await resolver.ResolveAsync(Spec(Uri(model)), CancellationToken.None), ControlErrorKind.Invalid, "MaxArtifactDepth");
    }

    [Fact]
    public async Task ResolveAsync_MissingPath_FailsNotFound()
    {
        using var resolver = Resolver();

        AssertFails(await resolver.ResolveAsync(Spec(Uri(Path.Combine(Root, "nothing"))), CancellationToken.None), ControlErrorKind.NotFound, "does not exist");
    }

    [Fact]
    public async Task ResolveAsync_Repository_ServesEveryModelFolder()
    {
        var repository = Path.Combine(Root, "repo");
        ModelFolder(Path.Combine(repository, "fraud"));
        Write(repository, "scorer/3/model.onnx", "scorer-bytes"); // no config.pbtxt: a version folder is enough
        Write(repository, "README.md", "not a model, not copied");
        Write(repository, ".git/HEAD", "hidden, not copied");
        using var resolver = Resolver();

        var revision = AssertOk(await resolver.ResolveAsync(Spec(Uri(repository)), CancellationToken.None));

        Assert.Equal(["fraud", "scorer"], revision.ModelNames);
        var folder = Assert.IsType<FolderModelLocation>(revision.Location).RepositoryPath;
        Assert.Equal("onnx-bytes", File.ReadAllText(Path.Combine(folder, "fraud", "1", "model.onnx")));
        Assert.Equal("scorer-bytes", File.ReadAllText(Path.Combine(folder, "scorer", "3", "model.onnx")));
        Assert.False(File.Exists(Path.Combine(folder, "README.md")));
        Assert.False(Directory.Exists(Path.Combine(folder, ".git")));
        Assert.Matches("^sha-[0-9a-f]{12}$", revision.RevisionId);
        Assert.Equal(revision.RevisionId[4..], revision.Version);
        Assert.Equal(Path.Combine(CacheDirectory, "sha256-" + resolver.Cache.Digests.Single()), folder);
        Assert.StartsWith(revision.Version, resolver.Cache.Digests.Single(), StringComparison.Ordinal);
        Assert.NotNull(revision.FetchDuration);
    }

    [Fact]
    public async Task ResolveAsync_RepositoryWithANonModelFolder_IsRefusedNamingIt()
    {
        var repository = Path.Combine(Root, "repo");
        ModelFolder(Path.Combine(repository, "fraud"));
        Write(repository, "docs/notes.txt", "no model here");
        using var resolver = Resolver();

        AssertFails(await resolver.ResolveAsync(Spec(Uri(repository)), CancellationToken.None), ControlErrorKind.Invalid, "folder 'docs'");
    }

    [Fact]
    public async Task ResolveAsync_SingleModelFolder_ServesItUnderTheFolderName()
    {
        var model = ModelFolder(Path.Combine(Root, "scorer"));
        Write(model, "labels.txt", "a\nb\n");
        using var resolver = Resolver();

        var revision = AssertOk(await resolver.ResolveAsync(Spec(Uri(model), name: "fraud"), CancellationToken.None));

        Assert.Equal(["scorer"], revision.ModelNames);
        var folder = Assert.IsType<FolderModelLocation>(revision.Location).RepositoryPath;
        Assert.Equal("onnx-bytes", File.ReadAllText(Path.Combine(folder, "scorer", "1", "model.onnx")));
        Assert.Equal("a\nb\n", File.ReadAllText(Path.Combine(folder, "scorer", "labels.txt")));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(Path.Combine(folder, "scorer", "1", "model.onnx")));
    }

    [Fact]
    public async Task ResolveAsync_SingleOnnxFile_IsVersionOneOfAModelNamedAfterTheDeployment()
    {
        var file = Write(Root, "anything.onnx", "onnx-file");
        using var resolver = Resolver();

        var revision = AssertOk(await resolver.ResolveAsync(Spec(Uri(file), name: "fraud"), CancellationToken.None));

        Assert.Equal(["fraud"], revision.ModelNames);
        var folder = Assert.IsType<FolderModelLocation>(revision.Location).RepositoryPath;
        Assert.Equal("onnx-file", File.ReadAllText(Path.Combine(folder, "fraud", "1", "model.onnx")));
        Assert.Single(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("empty")]
    [InlineData("plain")]
    public async Task ResolveAsync_NeitherModelNorRepository_IsRefused(string what)
    {
        var path = what switch
        {
            "notes.txt" => Write(Root, "notes.txt", "text"),
            "empty" => Directory.CreateDirectory(Path.Combine(Root, "empty")).FullName,
            _ => Path.GetDirectoryName(Write(Root, "plain/file.bin", "bytes"))!,
        };
        using var resolver = Resolver();

        AssertFails(await resolver.ResolveAsync(Spec(Uri(path)), CancellationToken.None), ControlErrorKind.Invalid, Uri(path));
        Assert.Empty(resolver.Cache.Digests);
    }

    [Fact]
    public async Task ResolveAsync_SameContentTwice_SameRevisionAndACacheHit()
    {
        var first = ModelFolder(Path.Combine(Root, "a", "fraud"));
        var second = ModelFolder(Path.Combine(Root, "b", "fraud"));
        using var resolver = Resolver();

        var one = AssertOk(await resolver.ResolveAsync(Spec(Uri(first)), CancellationToken.None));
        var again = AssertOk(await resolver.ResolveAsync(Spec(Uri(first)), CancellationToken.None));
        var copy = AssertOk(await resolver.ResolveAsync(Spec(Uri(second)), CancellationToken.None));

        Assert.Equal(one.RevisionId, again.RevisionId);
        Assert.Equal(one.RevisionId, copy.RevisionId);
        Assert.Equal(one.Location, copy.Location);
        Assert.Single(resolver.Cache.Digests);
    }

    [Fact]
    public async Task ResolveAsync_AfterAnEdit_NewRevisionAndTheOldFolderUntouched()
    {
        var model = ModelFolder(Path.Combine(Root, "fraud"), "version-one");
        using var resolver = Resolver();
        var before = AssertOk(await resolver.ResolveAsync(Spec(Uri(model)), CancellationToken.None));
        var oldFolder = ((FolderModelLocation)before.Location).RepositoryPath;

        File.WriteAllText(Path.Combine(model, "1", "model.onnx"), "version-two!");
        var after = AssertOk(await resolver.ResolveAsync(Spec(Uri(model)), CancellationToken.None));

        Assert.NotEqual(before.RevisionId, after.RevisionId);
        Assert.NotEqual(before.Location, after.Location);
        Assert.Equal("version-one", File.ReadAllText(Path.Combine(oldFolder, "fraud", "1", "model.onnx")));
        Assert.Equal("version-two!", File.ReadAllText(Path.Combine(((FolderModelLocation)after.Location).RepositoryPath, "fraud", "1", "model.onnx")));
        Assert.Equal(2, resolver.Cache.Digests.Count);
    }

    [Fact]
    public async Task ResolveAsync_SameSizeEditWithTheSameTime_IsStillSeen()
    {
        var model = ModelFolder(Path.Combine(Root, "fraud"), "aaaa");
        var file = Path.Combine(model, "1", "model.onnx");
        var time = File.GetLastWriteTimeUtc(file);
        using var resolver = Resolver();
        var before = AssertOk(await resolver.ResolveAsync(Spec(Uri(model)), CancellationToken.None));

        // Replaced by rename (a new inode), same size, time set back: the fingerprint still differs.
        var temp = Write(model, "new.tmp", "bbbb");
        File.Move(temp, file, overwrite: true);
        File.SetLastWriteTimeUtc(file, time);
        var after = AssertOk(await resolver.ResolveAsync(Spec(Uri(model)), CancellationToken.None));

        Assert.NotEqual(before.RevisionId, after.RevisionId);
    }

    [Fact]
    public async Task ResolveAsync_ConcurrentResolversOfTheSameContent_AllGetTheOneFolder()
    {
        var model = ModelFolder(Path.Combine(Root, "fraud"), new string('z', 100_000));
        var resolvers = Enumerable.Range(0, 6).Select(_ => Resolver()).ToList();
        try
        {
            var results = await Task.WhenAll(resolvers.Select(r => Task.Run(() => r.ResolveAsync(Spec(Uri(model)), CancellationToken.None))));

            var ids = results.Select(r => AssertOk(r).RevisionId).Distinct().ToList();
            Assert.Single(ids);
            var folders = Directory.EnumerateDirectories(CacheDirectory, "sha256-*").ToList();
            Assert.Single(folders);
            Assert.Equal(100_000, new FileInfo(Path.Combine(folders[0], "fraud", "1", "model.onnx")).Length);
            var staging = Path.Combine(CacheDirectory, ".staging");
            Assert.True(!Directory.Exists(staging) || !Directory.EnumerateFileSystemEntries(staging).Any(), "a staging folder was left behind");
        }
        finally
        {
            resolvers.ForEach(r => r.Dispose());
        }
    }
    [Fact]
    public async Task ResolveAsync_ConcurrentCallsOnOneResolver_OneFolderNoLeftovers()
    {
        var model = ModelFolder(Path.Combine(Root, "fraud"), new string('q', 50_000));
        using var resolver = Resolver();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => resolver.ResolveAsync(Spec(Uri(model)), CancellationToken.None))));

        Assert.Single(results.Select(r => AssertOk(r).RevisionId).Distinct());
        Assert.Single(resolver.Cache.Digests);
        Assert.Single(Directory.EnumerateDirectories(CacheDirectory, "sha256-*"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(CacheDirectory, ".staging")));
    }

    [Fact]
    public async Task ResolveAsync_UnchangedSizeTimeAndInode_IsAHitWithoutReadingTheFiles()
    {
        var model = ModelFolder(Path.Combine(Root, "fraud"), "aaaa");
        var file = Path.Combine(model, "1", "model.onnx");
        using var resolver = Resolver();
        var before = AssertOk(await resolver.ResolveAsync(Spec(Uri(model)), CancellationToken.None));

        // Rewritten in place (same inode and size) and its time put back: only reading would notice, and a hit does
        // not read. This pins down that unchanged folders are not hashed again; a real edit changes the time.
        var time = File.GetLastWriteTimeUtc(file);
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.Write("bbbb"u8);
        }

        File.SetLastWriteTimeUtc(file, time);
        var after = AssertOk(await resolver.ResolveAsync(Spec(Uri(model)), CancellationToken.None));

        Assert.Equal(before.RevisionId, after.RevisionId);
        Assert.Equal("aaaa", File.ReadAllText(Path.Combine(((FolderModelLocation)after.Location).RepositoryPath, "fraud", "1", "model.onnx")));

        // A fresh resolver (no remembered fingerprints) reads the files and sees the new content.
        using var fresh = Resolver();
        Assert.NotEqual(before.RevisionId, AssertOk(await fresh.ResolveAsync(Spec(Uri(model)), CancellationToken.None)).RevisionId);
    }
}
