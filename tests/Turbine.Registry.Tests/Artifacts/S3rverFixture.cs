using System.Diagnostics;
using System.Net.Sockets;
using Amazon.S3;
using Turbine.Registry.Artifacts;

namespace Turbine.Registry.Tests.Artifacts;

/// <summary>
/// A real S3-compatible server for the tests: s3rver (npm, installed by scripts/test.sh into
/// <c>.cache/s3rver</c>), started on a free loopback port with its data in a temp folder and the test bucket
/// created at start-up; killed by PID and its folder removed when the tests are done.
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    public const string Bucket = "turbine-artifacts";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private S3rverProcess? _server;

    public string Endpoint { get; private set; } = "";

    /// <summary>s3rver's data folder (objects, and unfinished multipart uploads under <c>&lt;bucket&gt;/._S3rver_uploads</c>).</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "turbine-tests", "s3rver-" + Guid.NewGuid().ToString("N"));

    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "turbine-tests", "s3-" + Guid.NewGuid().ToString("N"));

    public ArtifactStoreOptions Options(string? prefix, string? directory = null) =>
        new(directory, Endpoint, Bucket, AccessKey, SecretKey, S3Prefix: prefix);

    public AmazonS3Client CreateClient() =>
        new(new Amazon.Runtime.BasicAWSCredentials(AccessKey, SecretKey), ArtifactStoreFactory.CreateS3Config(Options(null)));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(WorkDirectory);
        _server = await S3rverProcess.StartAsync(Bucket, DataDirectory);
        Endpoint = _server.Endpoint;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        foreach (var directory in new[] { DataDirectory, WorkDirectory })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>The multipart uploads under <paramref name="prefix"/> that s3rver holds, neither completed nor aborted.</summary>
    public IReadOnlyList<string> UnfinishedUploads(string prefix)
    {
        var uploads = Path.Combine(DataDirectory, Bucket, "._S3rver_uploads");
        if (!Directory.Exists(uploads))
        {
            return [];
        }

        return
        [
            .. Directory.EnumerateDirectories(uploads)
                .Select(d => (Id: Path.GetFileName(d), Key: File.Exists(Path.Combine(d, "key")) ? File.ReadAllText(Path.Combine(d, "key")) : ""))
                .Where(u => u.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(u => $"multipart upload {u.Id} of {u.Key}"),
        ];
    }

}
