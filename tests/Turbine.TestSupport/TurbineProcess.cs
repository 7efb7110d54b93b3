using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Turbine.TestSupport;

/// <summary>The real <c>turbine</c> CLI as a child process (the built turbine.dll run by the dotnet host).</summary>
public sealed partial class TurbineProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<Uri> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;
    private readonly TaskCompletionSource<(Uri Http, Uri Grpc)> _gatewayReady = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The gRPC address from the ready line, once ready.</summary>
    public Uri? GrpcAddress { get; private set; }

    private TurbineProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    /// <summary>Whether the process is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public static TurbineProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        StartExecutable("dotnet", [Path.Combine(AppContext.BaseDirectory, "turbine.dll"), .. args], environment);

    /// <summary>
    /// <see cref="Start"/> through <c>env --default-signal=INT</c>, for tests that send SIGINT (<see cref="Interrupt"/>):
    /// a test runner started as a background job has SIGINT ignored and its children inherit that, while Ctrl+C in a
    /// terminal reaches a process that handles it.
    /// </summary>
    public static TurbineProcess StartInterruptible(IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        StartExecutable("env", ["--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "turbine.dll"), .. args], environment);

    /// <summary>
    /// Starts <paramref name="fileName"/> (an installed or published <c>turbine</c>, or another program such as
    /// <c>dotnet pack</c>) with the arguments given and <paramref name="environment"/> added to the inherited environment.
    /// </summary>
    public static TurbineProcess StartExecutable(string fileName, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var tp = new TurbineProcess(process);
        process.OutputDataReceived += (_, e) => tp.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => tp.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tp;
    }

    /// <summary>Runs <paramref name="fileName"/> to completion within <paramref name="timeout"/>; its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunExecutableAsync(string fileName, IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        await using var p = StartExecutable(fileName, args, environment);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            return (await p.WaitForExitAsync(deadline.Token), p.Output);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish within {timeout}; output:\n{p.Output}");
        }
    }

    /// <summary>Runs a command to completion and returns its exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        await using var p = Start(args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var code = await p.WaitForExitAsync(timeout.Token);
        return (code, p.Output);
    }

    /// <summary>Waits for the server's ready line and returns the HTTP address it prints.</summary>
    public async Task<Uri> WaitForReadyAsync(TimeSpan timeout)
    {
        var done = await Task.WhenAny(_ready.Task, Task.Delay(timeout), _process.WaitForExitAsync());
        if (done != _ready.Task)
        {
            throw new InvalidOperationException($"turbine did not become ready; output:\n{Output}");
        }

        return await _ready.Task;
    }

    /// <summary>Polls the output until a line matches (or the deadline passes, or the process exits) and returns the match.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        Match? found = null;
        bool Matched()
        {
            lock (_output)
            {
                found = _output.Select(line => pattern.Match(line)).FirstOrDefault(m => m.Success);
            }

            return found is not null;
        }

        // The process may print its last line and exit between two checks: look once more after it exited.
        await Poll.UntilAsync(() => Matched() || _process.HasExited, timeout, TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        return Matched() ? found! : throw new InvalidOperationException($"no output line matched '{pattern}'; output:\n{Output}");
    }

    /// <summary>Waits for the gateway's ready line (<c>turbine gateway</c>, <c>turbine up</c>) and returns its HTTP and gRPC addresses.</summary>
    public async Task<(Uri Http, Uri Grpc)> WaitForGatewayReadyAsync(TimeSpan timeout)
    {
        var done = await Task.WhenAny(_gatewayReady.Task, Task.Delay(timeout), _process.WaitForExitAsync());
        if (done != _gatewayReady.Task)
        {
            throw new InvalidOperationException($"the gateway did not become ready; output:\n{Output}");
        }

        return await _gatewayReady.Task;
    }

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as an orchestrator stopping the process would.</summary>
    public void Terminate()
    {
        if (kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed");
        }
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal would (to a process that did not inherit SIGINT ignored).</summary>
    public void Interrupt()
    {
        if (kill(_process.Id, 2) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGINT) failed");
        }
    }

    /// <summary>SIGKILL: the process dies at once, requests in flight included.</summary>
    public void Kill() => _process.Kill();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        var gateway = GatewayReadyLine().Match(line);
        if (gateway.Success)
        {
            _gatewayReady.TrySetResult((new Uri(gateway.Groups[1].Value), new Uri(gateway.Groups[2].Value)));
        }

        var match = ReadyLine().Match(line);
        if (match.Success)
        {
            GrpcAddress = new Uri(match.Groups[2].Value);
            _ready.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"turbine ready: HTTP on (\S+) gRPC on (\S+)")]
    private static partial Regex ReadyLine();

    // turbine gateway's ready line, or turbine up's summary line (the gateway's ports: the ones to use).
    [GeneratedRegex(@"turbine (?:gateway ready|ready): HTTP on (\S+) gRPC on (\S+) (?:config|\(use these)")]
    private static partial Regex GatewayReadyLine();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
