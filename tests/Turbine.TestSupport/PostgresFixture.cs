using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace Turbine.TestSupport;

/// <summary>
/// A real PostgreSQL server shared by the tests of one collection (each test project declares its own
/// <c>[CollectionDefinition]</c> with <c>ICollectionFixture&lt;PostgresFixture&gt;</c>): <c>initdb</c> in a temp folder,
/// then <c>postgres</c> on a free loopback port (as user postgres when running as root; the Debian package
/// <c>postgresql</c> provides both, and scripts/test.sh installs it). Each fixture is its own server with its own data
/// folder and port, and each test gets its own database, so suites run in parallel. Stopped by PID at the end.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "turbine-pg-" + Guid.NewGuid().ToString("N"));
    private Process? _server;
    private string _adminConnectionString = "";
    private int _databases;

    public async Task InitializeAsync()
    {
        var bin = FindBinaries();
        var asRoot = Environment.UserName == "root";
        Directory.CreateDirectory(_dataDirectory);
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", _dataDirectory]);
        }

        await RunAsync(Path.Combine(bin, "initdb"), ["-D", _dataDirectory, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"], asRoot);
        var port = Loopback.FreePort();
        var start = Start(Path.Combine(bin, "postgres"),
            ["-D", _dataDirectory, "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", _dataDirectory,
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "log_min_messages=warning"], asRoot);
        _server = Process.Start(start) ?? throw new InvalidOperationException("could not start postgres");
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        _adminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=5";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_adminConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException && DateTime.UtcNow < deadline && !_server.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Creates an empty database with a fresh name and returns its connection string.</summary>
    /// <param name="prefix">The start of the database name (lower-case letters and underscores), naming the suite.</param>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        if (prefix.Length is 0 or > 20 || !prefix.All(c => c is (>= 'a' and <= 'z') or '_'))
        {
            throw new ArgumentException("a database prefix is 1 to 20 lower-case letters or underscores", nameof(prefix));
        }

        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}";
        name = name[..Math.Min(name.Length, 63)]; // PostgreSQL's identifier limit
        await using (var connection = new NpgsqlConnection(_adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name, Pooling = true };
        return builder.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            // postmaster.pid's first line is the server's own PID (the process we started may be runuser).
            var pidFile = Path.Combine(_dataDirectory, "postmaster.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out var pid))
            {
                try
                {
                    using var postgres = Process.GetProcessById(pid);
                    await RunAsync("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                }
                catch (ArgumentException)
                {
                    // already gone
                }
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _server.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _server.Kill(entireProcessTree: true);
            }

            _server.Dispose();
        }

        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().ToArray()
            : [];
        return candidates.Length > 0
            ? candidates[0]
            : throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run scripts/test.sh or apt-get install postgresql");
    }

    private static ProcessStartInfo Start(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    private static async Task RunAsync(string program, string[] arguments, bool asPostgres = false)
    {
        using var process = Process.Start(Start(program, arguments, asPostgres)) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}
