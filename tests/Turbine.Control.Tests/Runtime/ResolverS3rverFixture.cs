using System.Diagnostics;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Turbine.Control.Tests.Runtime;

/// <summary>
/// s3rver (a real S3 server; npm, installed by scripts/test.sh into <c>.cache/s3rver</c>) on a free loopback port with
/// its data in a temp folder and one bucket; killed by PID and its folder removed when the tests are done.
/// </summary>
public sealed class ResolverS3rverFixture : IAsyncLifetime
{
    public const string Bucket = "turbine-models";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private S3rverProcess? _server;

    public string Endpoint { get; private set; } = "";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "turbine-tests", "resolver-s3rver-" + Guid.NewGuid().ToString("N"));

    public AmazonS3Client CreateClient() => new(
        new BasicAWSCredentials(AccessKey, SecretKey),
        new AmazonS3Config
        {
            ServiceURL = Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    public async Task PutAsync(string key, string content)
    {
        using var client = CreateClient();
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, ContentBody = content, UseChunkEncoding = false });
    }

    public async Task InitializeAsync()
    {
        _server = await S3rverProcess.StartAsync(Bucket, DataDirectory);
        Endpoint = _server.Endpoint;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

}
