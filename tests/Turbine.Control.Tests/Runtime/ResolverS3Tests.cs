using Turbine.Control.Runtime;
using Turbine.Control.Storage;
using static Turbine.Control.Tests.Runtime.ResolverTestKit;

namespace Turbine.Control.Tests.Runtime;

/// <summary>s3:// URIs against a real S3 server (s3rver on loopback); each test uses its own key prefix.</summary>
public sealed class ResolverS3Tests(ResolverS3rverFixture s3) : IClassFixture<ResolverS3rverFixture>, IDisposable
{
    private readonly TempFolder _folder = new("turbine-resolver-s3");
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose() => _folder.Dispose();

    private RevisionResolver Resolver(Func<ResolverOptions, ResolverOptions>? change = null)
    {
        var options = new ResolverOptions
        {
            CacheDirectory = _folder.File("cache"),
            S3Endpoint = s3.Endpoint,
            S3AccessKey = ResolverS3rverFixture.AccessKey,
            S3SecretKey = ResolverS3rverFixture.SecretKey,
            S3Timeout = TimeSpan.FromSeconds(60),
        };
        return new RevisionResolver(change is null ? options : change(options));
    }

    private string Uri(string key = "") => $"s3://{ResolverS3rverFixture.Bucket}/{_prefix}{key}";

    [Fact]
    public async Task ResolveAsync_RepositoryPrefix_DownloadsEveryModelIntoTheCache()
    {
        await s3.PutAsync($"{_prefix}/repo/fraud/config.pbtxt", "backend: \"onnxruntime\"\n");
        await s3.PutAsync($"{_prefix}/repo/fraud/1/model.onnx", "fraud-bytes");
        await s3.PutAsync($"{_prefix}/repo/scorer/2/model.onnx", "scorer-bytes");
        await s3.PutAsync($"{_prefix}/repo/.hidden/x", "skipped");
        using var resolver = Resolver();

        var revision = AssertOk(await resolver.ResolveAsync(Spec(Uri("/repo")), CancellationToken.None));

        Assert.Equal(["fraud", "scorer"], revision.ModelNames);
        Assert.Matches("^sha-[0-9a-f]{12}$", revision.RevisionId);
        var folder = Assert.IsType<FolderModelLocation>(revision.Location).RepositoryPath;
        Assert.Equal("fraud-bytes", File.ReadAllText(Path.Combine(folder, "fraud", "1", "model.onnx")));
        Assert.Equal("scorer-bytes", File.ReadAllText(Path.Combine(folder, "scorer", "2", "model.onnx")));
        Assert.Equal(3, Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Count());

        // Unchanged: the same revision from the listing alone; changed: a new revision, the old folder untouched.
        var again = AssertOk(await resolver.ResolveAsync(Spec(Uri("/repo/")), CancellationToken.None));
        Assert.Equal(revision.RevisionId, again.RevisionId);
        await s3.PutAsync($"{_prefix}/repo/scorer/2/model.onnx", "scorer-bytes-2");
        var changed = AssertOk(await resolver.ResolveAsync(Spec(Uri("/repo")), CancellationToken.None));
        Assert.NotEqual(revision.RevisionId, changed.RevisionId);
        Assert.Equal("scorer-bytes", File.ReadAllText(Path.Combine(folder, "scorer", "2", "model.onnx")));
    }

    [Fact]
    public async Task ResolveAsync_SingleObject_IsVersionOneOfTheDeploymentModel()
    {
        await s3.PutAsync($"{_prefix}/models/fraud.onnx", "single-file");
        using var resolver = Resolver();

        var revision = AssertOk(await resolver.ResolveAsync(Spec(Uri("/models/fraud.onnx"), name: "detector"), CancellationToken.None));

        Assert.Equal(["detector"], revision.ModelNames);
        Assert.Equal("single-file", File.ReadAllText(Path.Combine(((FolderModelLocation)revision.Location).RepositoryPath, "detector", "1", "model.onnx")));
    }

    [Fact]
    public async Task ResolveAsync_ModelFolderPrefix_ServesItUnderTheLastSegment()
    {
        await s3.PutAsync($"{_prefix}/scorer/1/model.onnx", "bytes");
        using var resolver = Resolver();

        var revision = AssertOk(await resolver.ResolveAsync(Spec(Uri("/scorer")), CancellationToken.None));

        Assert.Equal(["scorer"], revision.ModelNames);
    }

    [Fact]
    public async Task ResolveAsync_TooManyObjectsOrBytes_IsRefusedNamingTheLimit()
    {
        for (var i = 0; i < 4; i++)
        {
            await s3.PutAsync($"{_prefix}/big/1/part{i}", new string('x', 400));
        }

        using var few = Resolver(o => o with { MaxArtifactFiles = 3 });
        using var small = Resolver(o => o with { MaxArtifactBytes = 1000, CacheMaxBytes = 1000 });

        AssertFails(await few.ResolveAsync(Spec(Uri("/big")), CancellationToken.None), ControlErrorKind.Invalid, "more than 3 files");
        AssertFails(await small.ResolveAsync(Spec(Uri("/big")), CancellationToken.None), ControlErrorKind.Invalid, "more than 1000 bytes");
        Assert.Empty(small.Cache.Digests);
    }

    [Theory]
    [InlineData("/bad/fraud/1/a\\b")]
    [InlineData("/bad/fraud/1/tab\tname")]
    public async Task ResolveAsync_BadKeyUnderThePrefix_IsRefused(string key)
    {
        await s3.PutAsync($"{_prefix}/bad/fraud/config.pbtxt", "");
        await s3.PutAsync(_prefix + key, "evil");
        using var resolver = Resolver();

        AssertFails(await resolver.ResolveAsync(Spec(Uri("/bad")), CancellationToken.None), ControlErrorKind.Invalid, "object key");
        Assert.Empty(resolver.Cache.Digests);
    }

    /// <summary>s3rver cannot store every hostile key (an empty segment, '..'): the check the listing applies is tested directly.</summary>
    [Theory]
    [InlineData("fraud//1/model.onnx")]
    [InlineData("../escape")]
    [InlineData("fraud/../../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("fraud/./1/model.onnx")]
    [InlineData("")]
    [InlineData("fraud/1/a\\b")]
    public void CheckRelativePath_HostileKey_IsRefused(string key) => Assert.NotNull(RevisionResolver.CheckRelativePath(key));

    [Theory]
    [InlineData("fraud/1/model.onnx")]
    [InlineData("config.pbtxt")]
    public void CheckRelativePath_PlainKey_IsAccepted(string key) => Assert.Null(RevisionResolver.CheckRelativePath(key));

    [Fact]
    public async Task ResolveAsync_NothingUnderThePrefix_FailsNotFound()
    {
        using var resolver = Resolver();

        AssertFails(await resolver.ResolveAsync(Spec(Uri("/nothing")), CancellationToken.None), ControlErrorKind.NotFound, Uri("/nothing"));
    }

    [Fact]
    public async Task ResolveAsync_UnknownBucket_FailsNotFound()
    {
        using var resolver = Resolver();

        AssertFails(await resolver.ResolveAsync(Spec("s3://no-such-bucket/x"), CancellationToken.None), ControlErrorKind.NotFound, "s3://no-such-bucket/x");
    }

    [Fact]
    public async Task ResolveAsync_S3Down_FailsUnavailableWithoutTheSecret()
    {
        using var resolver = Resolver(o => o with { S3Endpoint = $"http://127.0.0.1:{Loopback.FreePort()}", S3SecretKey = "very-secret-key-42" });

        var error = AssertFails(await resolver.ResolveAsync(Spec(Uri("/repo")), CancellationToken.None), ControlErrorKind.Unavailable, Uri("/repo"));
        Assert.DoesNotContain("very-secret-key-42", error.Message, StringComparison.Ordinal);
    }
}
