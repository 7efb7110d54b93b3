using System.Diagnostics;
using System.Globalization;

namespace Turbine.TestSupport;

/// <summary>
/// s3rver, a real S3-compatible server (npm, installed by scripts/test.sh into <c>.cache/s3rver</c>), started on a free
/// loopback port with its data in <see cref="DataDirectory"/> and one bucket configured before it listens; killed by PID
/// on dispose. Shared by the registry's and the control plane's S3 fixtures.
/// </summary>
public sealed class S3rverProcess : IAsyncDisposable
{
    private readonly Process _process;

    private S3rverProcess(Process process, string endpoint, string dataDirectory)
    {
        _process = process;
        Endpoint = endpoint;
        DataDirectory = dataDirectory;
    }

    /// <summary>The server's base URL (path-style buckets).</summary>
    public string Endpoint { get; }

    /// <summary>The folder s3rver keeps its objects in.</summary>
    public string DataDirectory { get; }

    /// <summary>Starts s3rver with <paramref name="bucket"/> and waits (at most 60 s) until it answers HTTP.</summary>
    /// <param name="bucket">The bucket to configure.</param>
    /// <param name="dataDirectory">Where s3rver keeps objects (created).</param>
    public static async Task<S3rverProcess> StartAsync(string bucket, string dataDirectory)
    {
        var script = Path.Combine(RepositoryRoot(), ".cache", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"s3rver is not installed at {script}: run 'bash scripts/test.sh' once, or 'npm install --prefix .cache/s3rver s3rver@3.7.1' in the repository root");
        }

        Directory.CreateDirectory(dataDirectory);
        var port = Loopback.FreePort();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     script, "--address", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
                     "--directory", dataDirectory, "--silent", "--no-vhost-buckets", "--configure-bucket", bucket,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node for s3rver");
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        var server = new S3rverProcess(process, $"http://127.0.0.1:{port}", dataDirectory);

        // Ready when it answers HTTP at all: the bucket is configured before the server listens.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                var code = process.ExitCode;
                await server.DisposeAsync();
                throw new InvalidOperationException($"s3rver exited with {code} before answering: {await stderr}");
            }

            try
            {
                using var response = await http.GetAsync($"{server.Endpoint}/{bucket}?list-type=2&max-keys=1");
                return server;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    await server.DisposeAsync();
                    throw new InvalidOperationException($"s3rver did not answer on {server.Endpoint} within 60 s", e);
                }

                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>The folder holding Turbine.slnx above the test's output folder.</summary>
    public static string RepositoryRoot()
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
