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

    private Process? _process;

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
        var script = Path.Combine(RepositoryRoot(), ".cache", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"s3rver is not installed at {script}: run 'bash scripts/test.sh' once, or 'npm install --prefix .cache/s3rver s3rver@3.7.1' in the repository root");
        }

        Directory.CreateDirectory(DataDirectory);
        var port = Loopback.FreePort();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
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

        using var client = CreateClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"s3rver exited with {_process.ExitCode} before answering: {await stderr}");
            }

            try
            {
                await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, MaxKeys = 1 });
                return;
            }
            catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
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

        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private static string RepositoryRoot()
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
