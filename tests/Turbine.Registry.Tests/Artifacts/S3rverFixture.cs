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

    private Process? _process;

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
        var script = Path.Combine(RepositoryRoot(), ".cache", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"s3rver is not installed at {script}: run 'bash scripts/test.sh' once, or 'npm install --prefix .cache/s3rver s3rver@3.7.1' in the repository root");
        }

        Directory.CreateDirectory(DataDirectory);
        Directory.CreateDirectory(WorkDirectory);
        var port = Loopback.FreePort();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     script, "--address", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--directory", DataDirectory, "--silent", "--no-vhost-buckets", "--configure-bucket", Bucket,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start node for s3rver");
        var stderr = _process.StandardError.ReadToEndAsync();
        _ = _process.StandardOutput.ReadToEndAsync();
        Endpoint = $"http://127.0.0.1:{port}";

        // Ready when the bucket answers a listing (the bucket is configured before the server listens).
        using var client = CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"s3rver exited with {_process.ExitCode} before answering: {await stderr}");
            }

            try
            {
                await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = Bucket, MaxKeys = 1 });
                return;
            }
            catch (Exception e) when (e is AmazonS3Exception or HttpRequestException or IOException or Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or SocketException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"s3rver did not answer on {Endpoint} within 60 s", e);
                }

                await Task.Delay(100);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
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

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Turbine.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Turbine.slnx above {AppContext.BaseDirectory}");
    }
}
