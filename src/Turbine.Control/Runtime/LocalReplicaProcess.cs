using System.Diagnostics;

namespace Turbine.Control.Runtime;

/// <summary>
/// A <c>turbine serve</c> child of <see cref="LocalProcessRuntime"/>: started by it (<see cref="Child"/> set, exit code
/// known) or adopted after a controller restart (exit seen by polling <c>/proc</c>).
/// </summary>
internal sealed class LocalReplicaProcess : ReplicaProcess, IDisposable
{
    private readonly LocalRuntimeOptions _options;
    private int _readyReported;
    private int _exitSeen;
    private int _exitCode;

    public LocalReplicaProcess(LocalRuntimeOptions options, ReplicaMetadata metadata, string folder, Process? child)
    {
        _options = options;
        Metadata = metadata;
        Folder = folder;
        Child = child;
    }

    public ReplicaMetadata Metadata { get; }

    /// <summary>The replica's own folder (log, <c>replica.json</c>, its registry repository).</summary>
    public string Folder { get; }

    /// <summary>The process object when this runtime started it; null for an adopted replica.</summary>
    public Process? Child { get; }

    public bool Adopted => Child is null;

    public string LogPath => Path.Combine(Folder, ReplicaLogFile.FileName);

    /// <summary><c>deployment/replica</c>: the value of the marker variable in the child's environment.</summary>
    public string Marker => LocalProcessRuntime.MarkerOf(Metadata.Deployment, Metadata.ReplicaId);

    public override string Deployment => Metadata.Deployment;

    public override string ReplicaId => Metadata.ReplicaId;

    public override string RevisionId => Metadata.RevisionId;

    public override string Version => Metadata.Version;

    public override int Pid => Metadata.Pid;

    public override int HttpPort => Metadata.HttpPort;

    public override int GrpcPort => Metadata.GrpcPort;

    public override DateTimeOffset StartedAt => Metadata.StartedAt;

    /// <summary>True while the process runs and is still this replica (an adopted pid is checked against its marker, so a reused pid reads as gone).</summary>
    public bool IsRunning => Child is null ? LocalProcessNative.HasMarker(Pid, Marker) : !ChildExited();

    /// <summary>The exit code when this runtime started the process and it has exited; null otherwise.</summary>
    public int? ExitCode => Child is not null && ChildExited() && _exitSeen == 1 ? _exitCode : null;

    /// <summary>Whether the child exited; its exit code is kept once seen, so it outlives <see cref="Dispose"/>.</summary>
    private bool ChildExited()
    {
        if (Volatile.Read(ref _exitSeen) == 1)
        {
            return true;
        }

        try
        {
            if (!Child!.HasExited)
            {
                return false;
            }

            _exitCode = Child.ExitCode;
            Volatile.Write(ref _exitSeen, 1);
            return true;
        }
        catch (InvalidOperationException)
        {
            // The handle was released (the runtime was disposed): fall back to /proc.
            return !LocalProcessNative.HasMarker(Pid, Marker);
        }
    }

    /// <summary>True the first time it is called (the first ready probe); false afterwards.</summary>
    public bool TakeFirstReady() => Interlocked.Exchange(ref _readyReported, 1) == 0;

    public override IReadOnlyList<string> LogTail(int lines)
    {
        ReplicaLogFile.RotateIfLarge(LogPath, _options.MaxLogBytes);
        var tail = ReplicaLogFile.Tail(LogPath, Math.Min(lines, _options.MaxLogTailLines), _options.MaxLogTailBytes);
        if (tail.Count == 0 && lines > 0)
        {
            // Just rotated: the newest lines are in the old file.
            tail = ReplicaLogFile.Tail(LogPath + ".1", Math.Min(lines, _options.MaxLogTailLines), _options.MaxLogTailBytes);
        }

        return tail;
    }

    public void Dispose() => Child?.Dispose();
}
