using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Turbine.Control.Storage;

namespace Turbine.Control.Runtime;

/// <summary>
/// Runs each replica as a child <c>turbine serve</c> process bound to <c>127.0.0.1</c> on free ports. The child writes
/// to its own log file (never a pipe to the controller) and sits in its own session, so it outlives a controller
/// killed with <c>kill -9</c>; a restarted controller re-adopts it with <see cref="TryAdopt"/>, which checks the pid
/// against the marker <c>TURBINE_REPLICA_ID=deployment/replica</c> in the process's environment.
/// </summary>
/// <remarks>
/// <see cref="DisposeAsync"/> does not stop replicas: the controller decides, and stops them with
/// <see cref="StopAsync"/> on its own shutdown when it means to.
/// </remarks>
public sealed partial class LocalProcessRuntime : IReplicaRuntime, IAsyncDisposable
{
    private const string ShellScript = "exec \"$@\" </dev/null >>\"$" + LocalProcessNative.LogVariable + "\" 2>&1";
    private static readonly string[] SetsidPaths = ["/usr/bin/setsid", "/bin/setsid"];

    private readonly LocalRuntimeOptions _options;
    private readonly IReadOnlyList<string> _command;
    private readonly string? _setsid;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly ColdStartMetrics _metrics;
    private readonly ConcurrentDictionary<string, LocalReplicaProcess> _replicas = new(StringComparer.Ordinal);
    private int _disposed;

    /// <summary>Creates the runtime; throws <see cref="ArgumentException"/> listing every problem of <paramref name="options"/>.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="time">The clock (start and cold-start durations, waits); the system clock when null.</param>
    /// <param name="meterFactory">Creates the <c>Turbine.Control</c> meter for <c>turbine.cold_start.seconds</c>; a meter of the runtime's own when null.</param>
    public LocalProcessRuntime(LocalRuntimeOptions options, TimeProvider? time = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        var (command, problem) = options.ResolveServerCommand();
        if (problem is not null)
        {
            problems.Add(problem);
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid local runtime options: " + string.Join("; ", problems), nameof(options));
        }

        _options = options;
        _command = command!;
        _setsid = SetsidPaths.FirstOrDefault(File.Exists);
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(options.WorkDirectory);
        Directory.CreateDirectory(Path.Combine(options.EffectiveRegistryCache, "blobs", "sha256"));
#pragma warning disable CA2000 // the handler is owned by the client, disposed in DisposeAsync
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore CA2000
        _metrics = new ColdStartMetrics(meterFactory);
    }

    /// <summary>The command that runs <c>turbine</c> for replicas (see <see cref="LocalRuntimeOptions.ServerCommand"/>).</summary>
    public IReadOnlyList<string> ServerCommand => _command;

    /// <summary>The options in effect.</summary>
    public LocalRuntimeOptions Options => _options;

    /// <summary>The cold starts this runtime measured (the dashboard shows the newest per deployment).</summary>
    internal ColdStartMetrics ColdStarts => _metrics;

    /// <summary>The newest <paramref name="lines"/> lines of a replica's log file (bounded by <see cref="LocalRuntimeOptions.MaxLogTailBytes"/>); empty when none.</summary>
    internal IReadOnlyList<string> LogTail(string deployment, string replicaId, int lines) =>
        ReplicaLogFile.Tail(Path.Combine(FolderOf(deployment, replicaId), ReplicaLogFile.FileName), Math.Clamp(lines, 1, _options.MaxLogTailLines), _options.MaxLogTailBytes);

    /// <inheritdoc />
    public async Task<ControlResult<ReplicaProcess>> StartAsync(ReplicaLaunch launch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (CheckLaunch(launch) is { } invalid)
        {
            return ControlResult<ReplicaProcess>.Fail(ControlErrorKind.Invalid, invalid);
        }

        if (_replicas.TryGetValue(MarkerOf(launch.Deployment, launch.ReplicaId), out var running) && running.IsRunning)
        {
            return ControlResult<ReplicaProcess>.Fail(ControlErrorKind.Conflict,
                $"replica '{running.Marker}' is already running as pid {running.Pid}; stop it or start another replica id");
        }

        var folder = FolderOf(launch.Deployment, launch.ReplicaId);
        string[] locationArgs;
        try
        {
            Directory.CreateDirectory(folder);
            locationArgs = LocationArguments(launch.Revision.Location, folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ControlResult<ReplicaProcess>.Fail(ControlErrorKind.Unavailable, $"replica '{MarkerOf(launch.Deployment, launch.ReplicaId)}': cannot prepare its folder '{folder}': {e.Message}");
        }
        catch (ArgumentException e)
        {
            return ControlResult<ReplicaProcess>.Fail(ControlErrorKind.Invalid, $"replica '{MarkerOf(launch.Deployment, launch.ReplicaId)}': {e.Message}");
        }

        string? lastFailure = null;
        for (var attempt = 1; attempt <= _options.MaxStartAttempts; attempt++)
        {
            var outcome = await StartOnceAsync(launch, folder, locationArgs, cancellationToken).ConfigureAwait(false);
            if (outcome.Replica is { } replica)
            {
                _replicas[replica.Marker] = replica;
                return ControlResult<ReplicaProcess>.Ok(replica);
            }

            lastFailure = outcome.Failure;
            if (!outcome.PortTaken)
            {
                return ControlResult<ReplicaProcess>.Fail(ControlErrorKind.Unavailable, lastFailure!);
            }
        }

        return ControlResult<ReplicaProcess>.Fail(ControlErrorKind.Unavailable,
            $"{lastFailure} (a port was taken before the replica bound it, {_options.MaxStartAttempts} tries with fresh ports)");
    }

    /// <inheritdoc />
    public ReplicaProcess? TryAdopt(ReplicaRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!IsSafeName(record.Deployment) || !IsSafeName(record.ReplicaId) || record.Pid <= 0)
        {
            return null;
        }

        var marker = MarkerOf(record.Deployment, record.ReplicaId);
        if (_replicas.TryGetValue(marker, out var known) && known.Pid == record.Pid && known.IsRunning)
        {
            return known;
        }

        if (!LocalProcessNative.HasMarker(record.Pid, marker))
        {
            return null; // gone, or the pid now belongs to another process
        }

        var folder = FolderOf(record.Deployment, record.ReplicaId);
        var stored = ReplicaMetadata.TryRead(folder);

        // The store's record is authoritative for the process and ports; replica.json adds the models and metrics port.
        var metadata = new ReplicaMetadata(record.Deployment, record.ReplicaId,
            stored?.RevisionId ?? "", record.Version, stored?.ModelNames ?? [], record.Pid, record.HttpPort, record.GrpcPort,
            stored?.Pid == record.Pid ? stored.MetricsPort : 0, stored?.Pid == record.Pid ? stored.StartedAt : record.UpdatedAt);
        var adopted = new LocalReplicaProcess(_options, metadata, folder, child: null);
        adopted.TakeFirstReady(); // its cold start happened under the previous controller
        _replicas[marker] = adopted;
        return adopted;
    }

    /// <summary>Does not stop replicas (see the remarks of the class); releases the HTTP client, the meter and process handles.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        foreach (var replica in _replicas.Values)
        {
            replica.Dispose();
        }

        _replicas.Clear();
        _http.Dispose();
        _metrics.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The subfolder of a replica's folder its payload log is written to (<c>serve --payload-log-dir</c>).</summary>
    public const string PayloadFolderName = "payloads";

    /// <summary>The marker of a replica: <c>deployment/replica</c>.</summary>
    internal static string MarkerOf(string deployment, string replicaId) => deployment + "/" + replicaId;

    internal string FolderOf(string deployment, string replicaId) => Path.Combine(_options.WorkDirectory, deployment, replicaId);

    private static bool IsSafeName(string? name) => name is not null && SafeName().IsMatch(name);

    private static string? CheckLaunch(ReplicaLaunch launch)
    {
        if (!IsSafeName(launch.Deployment))
        {
            return $"deployment name '{launch.Deployment}' is not safe for a folder name: expected [a-z0-9-], 1 to 63 characters, starting with a letter or digit";
        }

        if (!IsSafeName(launch.ReplicaId))
        {
            return $"replica id '{launch.ReplicaId}' is not safe for a folder name: expected [a-z0-9-], 1 to 63 characters, starting with a letter or digit";
        }

        if (launch.Revision is null || launch.Revision.ModelNames is null || launch.Revision.ModelNames.Count is 0 or > 64
            || launch.Revision.ModelNames.Any(m => string.IsNullOrEmpty(m) || m.Length > 128 || m.Any(char.IsControl)))
        {
            return $"revision of replica '{MarkerOf(launch.Deployment, launch.ReplicaId)}': expected 1 to 64 model names of 1 to 128 characters";
        }

        return null;
    }

    private string[] LocationArguments(ModelLocation location, string folder)
    {
        switch (location)
        {
            case FolderModelLocation f:
                if (!Path.IsPathFullyQualified(f.RepositoryPath) || !Directory.Exists(f.RepositoryPath))
                {
                    throw new ArgumentException($"model repository '{f.RepositoryPath}' is not an existing absolute folder");
                }

                return ["--model-repository", f.RepositoryPath];
            case RegistryModelLocation r:
                if (!r.Registry.IsAbsoluteUri || r.Registry.Scheme is not ("http" or "https") || r.Version <= 0 || !RegistryModel().IsMatch(r.Model))
                {
                    throw new ArgumentException($"registry location {r.Registry} {r.Model}:{r.Version} is not an http(s) registry with a model name and a positive version");
                }

                return ["--registry", r.Registry.ToString(), "--model", string.Create(CultureInfo.InvariantCulture, $"{r.Model}:{r.Version}"),
                    "--registry-cache", PrepareRegistryCache(folder)];
            default:
                throw new ArgumentException($"model location {location?.GetType().Name ?? "null"} is not supported by the local runtime");
        }
    }

    /// <summary>
    /// The replica's own registry cache: its own materialized repository and refs.json (two replicas must not rewrite
    /// one repository), with <c>blobs/</c> a link to the shared content-addressed blob folder (downloads there are
    /// atomic: a unique temporary file renamed into place).
    /// </summary>
    private string PrepareRegistryCache(string folder)
    {
        var cache = Path.Combine(folder, "registry-cache");
        Directory.CreateDirectory(cache);
        var blobs = Path.Combine(cache, "blobs");
        var shared = Path.Combine(_options.EffectiveRegistryCache, "blobs");
        var existing = new DirectoryInfo(blobs);
        if (existing.LinkTarget is null && existing.Exists)
        {
            Directory.Delete(blobs, recursive: true);
        }

        if (existing.LinkTarget != shared)
        {
            if (existing.LinkTarget is not null)
            {
                File.Delete(blobs);
            }

            Directory.CreateSymbolicLink(blobs, shared);
        }

        return cache;
    }

    private async Task<StartOutcome> StartOnceAsync(ReplicaLaunch launch, string folder, string[] locationArgs, CancellationToken cancellationToken)
    {
        int http, grpc, metrics;
        try
        {
            (http, grpc, metrics) = FreePorts();
        }
        catch (SocketException e)
        {
            return new StartOutcome(null, $"replica '{MarkerOf(launch.Deployment, launch.ReplicaId)}': no free loopback port: {e.Message}", false);
        }

        var logPath = Path.Combine(folder, ReplicaLogFile.FileName);
        ReplicaLogFile.RotateIfLarge(logPath, _options.MaxLogBytes);
        var logStart = ReplicaLogFile.Length(logPath);
        var info = BuildStartInfo(launch, locationArgs, logPath, http, grpc, metrics);
        var process = new Process { StartInfo = info };
        try
        {
            if (!process.Start())
            {
                throw new InvalidOperationException("the process did not start");
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            return new StartOutcome(null, $"replica '{MarkerOf(launch.Deployment, launch.ReplicaId)}': cannot run '{_command[0]}': {e.Message}", false);
        }

        var metadata = new ReplicaMetadata(launch.Deployment, launch.ReplicaId, launch.Revision.RevisionId, launch.Revision.Version,
            [.. launch.Revision.ModelNames], process.Id, http, grpc, metrics, _time.GetUtcNow());
        var replica = new LocalReplicaProcess(_options, metadata, folder, process);
        try
        {
            metadata.Write(folder);
            var early = await WatchStartAsync(replica, cancellationToken).ConfigureAwait(false);
            if (early is null)
            {
                return new StartOutcome(replica, null, false);
            }

            var output = ReplicaLogFile.ReadFrom(logPath, logStart, _options.MaxLogTailBytes);
            var portTaken = output.Contains("cannot start the server", StringComparison.Ordinal)
                && (output.Contains("in use", StringComparison.OrdinalIgnoreCase) || output.Contains("bind", StringComparison.OrdinalIgnoreCase));
            var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";
            replica.Dispose();
            return new StartOutcome(null, $"replica '{replica.Marker}' exited at start with code {early}: {last}", portTaken);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or UnauthorizedAccessException)
        {
            // Cancelled, or replica.json could not be written: the process this call started does not outlive it.
            LocalProcessNative.Signal(process.Id, LocalProcessNative.SigKill);
            using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                try
                {
                    await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }

            replica.Dispose();
            if (e is OperationCanceledException)
            {
                throw;
            }

            return new StartOutcome(null, $"replica '{replica.Marker}': cannot write {ReplicaMetadata.FileName} in '{folder}': {e.Message}", false);
        }
    }

    /// <summary>Null once the HTTP port accepts connections or the start timeout passes with the process running; its exit code when it exits first.</summary>
    private async Task<int?> WatchStartAsync(LocalReplicaProcess replica, CancellationToken cancellationToken)
    {
        var child = replica.Child!;
        var started = _time.GetTimestamp();
        while (_time.GetElapsedTime(started) < _options.StartTimeout)
        {
            if (child.HasExited)
            {
                return child.ExitCode;
            }

            if (await AcceptsConnectionsAsync(replica.HttpPort, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken).ConfigureAwait(false);
        }

        return child.HasExited ? child.ExitCode : null;
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private ProcessStartInfo BuildStartInfo(ReplicaLaunch launch, string[] locationArgs, string logPath, int http, int grpc, int metrics)
    {
        // /bin/sh redirects the child's output to its log and execs it: the arguments are positional parameters, never
        // parsed by the shell. setsid (exec'd, same pid) puts the child in its own session, out of the controller's
        // process group and terminal.
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ShellScript);
        info.ArgumentList.Add("sh");
        if (_setsid is not null)
        {
            info.ArgumentList.Add(_setsid);
        }

        foreach (var part in _command)
        {
            info.ArgumentList.Add(part);
        }

        string[] serve =
        [
            "serve", .. locationArgs,
            "--host", "127.0.0.1",
            "--http-port", http.ToString(CultureInfo.InvariantCulture),
            "--grpc-port", grpc.ToString(CultureInfo.InvariantCulture),
            "--metrics-port", metrics.ToString(CultureInfo.InvariantCulture),
            "--strict-readiness", "true",
            "--exit-on-error", _options.ExitOnLoadFailure ? "true" : "false",
            // Each replica's payload log (models opt in with their payload_log parameter) in its own folder: the
            // dashboard's payload browser reads every replica's (docs/dashboard.md, "Payloads").
            "--payload-log-dir", Path.Combine(FolderOf(launch.Deployment, launch.ReplicaId), PayloadFolderName),
            .. _options.StopWithController ? ["--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)] : Array.Empty<string>(),
            .. _options.ExtraServeArguments,
        ];
        foreach (var part in serve)
        {
            info.ArgumentList.Add(part);
        }

        info.Environment[LocalProcessNative.ReplicaIdVariable] = MarkerOf(launch.Deployment, launch.ReplicaId);
        // A replica's models are the controller's to manage: its repository load/unload and shared-memory calls need a
        // token that only this replica's environment holds, so a caller reaching it through the gateway (which passes
        // the caller's Authorization header on) cannot unload a deployment's model. Nothing in the controller needs it.
        info.Environment[ManagementTokenVariable] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        info.Environment[LocalProcessNative.LogVariable] = logPath;
        if (_options.RegistryToken is { } token)
        {
            info.Environment[RegistryTokenVariable] = token;
        }

        return info;
    }

    /// <summary>The variable <c>turbine serve</c> reads the registry token from (the CLI's <c>ModelsCommand.RegistryTokenVariable</c>).</summary>
    internal const string RegistryTokenVariable = "TURBINE_REGISTRY_TOKEN";

    /// <summary>The variable <c>turbine serve</c> reads its management token from (the CLI's <c>ServeCommand.ManagementTokenVariable</c>).</summary>
    internal const string ManagementTokenVariable = "TURBINE_MANAGEMENT_TOKEN";

    /// <summary>Three distinct free loopback ports: each bound to port 0 at once, then released for the child.</summary>
    private static (int Http, int Grpc, int Metrics) FreePorts()
    {
        var listeners = new List<Socket>(3);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                listeners.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }

            var ports = listeners.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
            return (ports[0], ports[1], ports[2]);
        }
        finally
        {
            foreach (var socket in listeners)
            {
                socket.Dispose();
            }
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex SafeName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex RegistryModel();

    private readonly record struct StartOutcome(LocalReplicaProcess? Replica, string? Failure, bool PortTaken);
}
