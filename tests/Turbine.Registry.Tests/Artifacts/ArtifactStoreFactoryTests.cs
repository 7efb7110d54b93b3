using Microsoft.Extensions.DependencyInjection;
using Turbine.Registry.Artifacts;

namespace Turbine.Registry.Tests.Artifacts;

public sealed class ArtifactStoreFactoryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "turbine-tests", "factory-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Create_DirectoryOnly_FileSystemStoreAtIt()
    {
        var store = ArtifactStoreFactory.Create(new ArtifactStoreOptions(Directory: _root));

        var fileSystem = Assert.IsType<FileSystemArtifactStore>(store);
        Assert.Equal("filesystem", store.Name);
        Assert.Equal(Path.GetFullPath(_root), fileSystem.Root);
        Assert.True(Directory.Exists(Path.Combine(_root, "sha256")));
        Assert.True(Directory.Exists(Path.Combine(_root, "tmp")));
    }

    [Fact]
    public void Create_BucketSet_S3StoreWithPrefixAndSpoolUnderDirectory()
    {
        using var store = Assert.IsType<S3ArtifactStore>(ArtifactStoreFactory.Create(new ArtifactStoreOptions(
            Directory: _root, S3Endpoint: "http://127.0.0.1:9", S3Bucket: "models", S3AccessKey: "a", S3SecretKey: "b", S3Prefix: "/team-a/")));

        Assert.Equal("s3", store.Name);
        Assert.Equal("models", store.Bucket);
        Assert.Equal("team-a/", store.Prefix);
        Assert.Equal("team-a/sha256/" + new string('f', 64), store.BlobKey(new string('f', 64)));
        Assert.Equal(Path.Combine(Path.GetFullPath(_root), "tmp"), store.SpoolDirectory);
    }

    [Fact]
    public void Create_NeitherDirectoryNorBucket_ThrowsNamingBoth()
    {
        var error = Assert.Throws<ArgumentException>(() => ArtifactStoreFactory.Create(new ArtifactStoreOptions()));

        Assert.Contains("directory", error.Message, StringComparison.Ordinal);
        Assert.Contains("S3 bucket", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("key", null)]
    [InlineData(null, "secret")]
    public void Create_OnlyOneOfAccessAndSecretKey_Throws(string? accessKey, string? secretKey)
    {
        var error = Assert.Throws<ArgumentException>(() => ArtifactStoreFactory.Create(
            new ArtifactStoreOptions(S3Endpoint: "http://127.0.0.1:9", S3Bucket: "models", S3AccessKey: accessKey, S3SecretKey: secretKey)));

        Assert.Contains("both the S3 access key and the S3 secret key", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:9000")]
    [InlineData("ftp://127.0.0.1:9000")]
    [InlineData("not a url")]
    public void Create_EndpointNotAnHttpUrl_ThrowsNamingIt(string endpoint)
    {
        var error = Assert.Throws<ArgumentException>(() => ArtifactStoreFactory.Create(
            new ArtifactStoreOptions(S3Endpoint: endpoint, S3Bucket: "models", S3AccessKey: "a", S3SecretKey: "b")));

        Assert.Contains($"'{endpoint}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateS3Config_Endpoint_PathStyleSignedForTheRegion()
    {
        var config = ArtifactStoreFactory.CreateS3Config(new ArtifactStoreOptions(S3Endpoint: "http://127.0.0.1:9000", S3Region: "eu-west-1"));

        Assert.True(config.ForcePathStyle);
        Assert.Equal("http://127.0.0.1:9000/", config.ServiceURL);
        Assert.Equal("eu-west-1", config.AuthenticationRegion);
        Assert.Equal(Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED, config.RequestChecksumCalculation);
    }

    [Fact]
    public void CreateS3Config_NoEndpoint_AwsRegionEndpoint()
    {
        var config = ArtifactStoreFactory.CreateS3Config(new ArtifactStoreOptions(S3Region: "eu-central-1"));

        Assert.Equal(Amazon.RegionEndpoint.EUCentral1, config.RegionEndpoint);
        Assert.True(config.ForcePathStyle);
    }

    [Fact]
    public async Task AddArtifactStore_Directory_ResolvesOneFileSystemStore()
    {
        var services = new ServiceCollection().AddLogging().AddArtifactStore(new ArtifactStoreOptions(Directory: _root));
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IArtifactStore>();

        Assert.IsType<FileSystemArtifactStore>(store);
        Assert.Same(store, provider.GetRequiredService<IArtifactStore>());
    }

    [Fact]
    public void AddArtifactStore_NoDirectoryNoBucket_ThrowsAtRegistration()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddArtifactStore(new ArtifactStoreOptions()));

        Assert.Contains("S3 bucket", error.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    [Theory]
    [InlineData(17L << 20, 16L << 20)]
    [InlineData(160_000L << 20, 16L << 20)]
    [InlineData(320_000L << 20, 32L << 20)]
    [InlineData((320_000L << 20) + 1, (32L << 20) + 1)]
    public void PartSizeFor_HugeBlob_GrowsToStayWithin10000Parts(long size, long expected)
    {
        using var store = (S3ArtifactStore)ArtifactStoreFactory.Create(new ArtifactStoreOptions(
            Directory: _root, S3Endpoint: "http://127.0.0.1:9", S3Bucket: "models", S3AccessKey: "a", S3SecretKey: "b"));

        var partSize = store.PartSizeFor(size);

        Assert.Equal(expected, partSize);
        Assert.True((size + partSize - 1) / partSize <= 10_000);
    }
}
