using System.Net;
using Amazon.S3.Model;
using Turbine.Registry.Tests.Artifacts;
using Turbine.Samples;

namespace Turbine.Registry.Tests;

/// <summary>The registry service with its artifacts in a real S3-compatible server (s3rver on loopback).</summary>
public sealed class S3RegistryServerTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "turbine-tests", "registry-s3-" + Guid.NewGuid().ToString("N"));
    private readonly string _prefix = $"registry-{Guid.NewGuid():N}/";

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task PushAndPull_ArtifactInS3_SignatureReadAndBytesRoundTrip()
    {
        await using var registry = await StartAsync();
        SampleRepository.CreateModel(Path.Combine(_directory, "samples"), "simple");
        var bytes = await File.ReadAllBytesAsync(Path.Combine(_directory, "samples", "simple", "1", "model.onnx"));
        await RegistryHarness.CreateModelAsync(registry.Admin, "s3model");

        var sha = await RegistryHarness.UploadAsync(registry.Admin, bytes);
        var version = await RegistryHarness.PushAsync(registry.Admin, "s3model", sha);

        Assert.StartsWith("s3:", registry.Server.ArtifactsDescription, StringComparison.Ordinal);
        Assert.Equal("onnx", version.GetProperty("format").GetString());
        Assert.Equal("INPUT0", version.GetProperty("signature").GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.Equal(bytes, await registry.Admin.GetByteArrayAsync("api/v1/models/s3model/versions/1/artifact"));
        Assert.Contains($"{_prefix}sha256/{sha}", await KeysAsync());
    }

    [Fact]
    public async Task UploadArtifact_DigestMismatchOnS3_400AndNoObjectOrUploadLeft()
    {
        await using var registry = await StartAsync();
        var bytes = new byte[3 * 1024 * 1024];
        new Random(3).NextBytes(bytes);
        using var content = new ByteArrayContent(bytes);
        content.Headers.Add("X-Content-SHA256", new string('c', 64));

        using var response = await registry.Admin.PostAsync("api/v1/artifacts", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("digest_mismatch", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await KeysAsync());
        Assert.Empty(s3.UnfinishedUploads(_prefix));
    }

    private Task<RegistryHarness> StartAsync() => RegistryHarness.StartAsync(new RegistryOptions
    {
        DataDirectory = _directory,
        S3Endpoint = s3.Endpoint,
        S3Bucket = S3rverFixture.Bucket,
        S3AccessKey = S3rverFixture.AccessKey,
        S3SecretKey = S3rverFixture.SecretKey,
        S3Prefix = _prefix,
    });

    private async Task<IReadOnlyList<string>> KeysAsync()
    {
        using var client = s3.CreateClient();
        var listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3rverFixture.Bucket, Prefix = _prefix });
        return listing.S3Objects?.Select(o => o.Key).ToArray() ?? [];
    }
}
