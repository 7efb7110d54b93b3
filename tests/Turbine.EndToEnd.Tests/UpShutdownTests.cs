using System.Globalization;
using System.Text.RegularExpressions;
using Turbine.Control.Api;

namespace Turbine.EndToEnd.Tests;

/// <summary>
/// <c>turbine up</c> stopped by a signal, as real processes: the controller's replicas (<c>turbine serve</c> children)
/// must all be gone when <c>up</c> exits, and <c>up</c> must exit with 0. Every process whose command line names the
/// test's folder is killed by pid at the end, so a failing run leaves nothing behind.
/// </summary>
public sealed partial class UpShutdownTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new("turbine-e2e-upstop");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var pid in ServeChildren())
        {
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                p.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }

        await Poll.UntilAsync(() => ServeChildren().Count == 0, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        _folder.Dispose();
    }

    [Theory]
    [InlineData("SIGTERM")]
    [InlineData("SIGINT")]
    public async Task Up_StoppedBySignal_ExitsZeroWithEveryReplicaStopped(string signal)
    {
        var (up, reported) = await StartUpAsync();
        await using var _ = up;
        var number = signal == "SIGINT" ? 2 : 15;
        Assert.False(Ignores(up.Pid, number), $"up ignores {signal}: the test cannot send it");
        if (number == 2)
        {
            up.Interrupt();
        }
        else
        {
            up.Terminate();
        }

        // Bounded: the drain grace (30 s) plus the stops of the gateway and the server, with room for a loaded machine.
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            Assert.Equal(0, await up.WaitForExitAsync(deadline.Token));
        }

        // up waited for its replicas: none is left the moment it has exited (checked once, no grace: the runtime saw
        // each of its children exit, and reaped it, before up went on).
        var left = ServeChildren().Concat(reported.Where(IsAlive)).Distinct().ToList();
        Assert.True(left.Count == 0, $"replicas still running after up exited: {string.Join(", ", left)}; output:\n{up.Output}");
        Assert.Contains($"turbine up: stopping ({signal})", up.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_KilledWithSigkill_ItsReplicasStopByThemselves()
    {
        var (up, reported) = await StartUpAsync();
        await using var _ = up;
        Assert.Contains("\0--parent-pid\0" + up.Pid.ToString(CultureInfo.InvariantCulture) + "\0", File.ReadAllText($"/proc/{reported[0]}/cmdline"), StringComparison.Ordinal);

        up.Kill();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await up.WaitForExitAsync(deadline.Token);
        }

        // Each replica sees its controller gone within a second and stops as on SIGTERM (drain, exit); a loaded machine gets room.
        Assert.True(await Poll.UntilAsync(() => ServeChildren().Count == 0 && !reported.Any(IsAlive), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100)),
            $"replicas still running after up was killed: {string.Join(", ", ServeChildren())}; output:\n{up.Output}");
    }

    /// <summary>Starts <c>turbine up</c> on free ports in this test's home, waits for its summary; the replica pids the controller reports.</summary>
    private async Task<(TurbineProcess Up, List<int> Replicas)> StartUpAsync()
    {
        var home = _folder.File("home");
        var up = TurbineProcess.StartInterruptible([
            "up", "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0", "--registry-port", "0", "--control-port", "0"],
            new Dictionary<string, string> { ["TURBINE_HOME"] = home });
        try
        {
            await up.WaitForReadyAsync(TimeSpan.FromSeconds(180));
            var controlLine = await up.WaitForLineAsync(ControlLine(), TimeSpan.FromSeconds(10));
            await up.WaitForLineAsync(StopLine(), TimeSpan.FromSeconds(10));

            // The replicas the controller reports (simple has a ready one: up waited for it) are real serve processes of this home.
            using var control = new ControlClient(new Uri(controlLine.Groups[1].Value), token: null);
            var reported = new List<int>();
            foreach (var name in new[] { "simple", "simple-int8" })
            {
                reported.AddRange((await control.GetAsync(name)).Status.Replicas.Select(r => r.Pid));
            }

            Assert.NotEmpty(reported);
            var running = ServeChildren();
            Assert.All(reported, pid => Assert.Contains(pid, running));
            return (up, reported);
        }
        catch
        {
            await up.DisposeAsync();
            throw;
        }
    }

    /// <summary>Replica processes (<c>turbine.dll serve</c>) whose command line names this test's folder.</summary>
    private List<int> ServeChildren()
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmd = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmd.Contains(_folder.Path, StringComparison.Ordinal) && cmd.Contains("turbine.dll\0serve\0", StringComparison.Ordinal) && IsAlive(pid))
                {
                    pids.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        return pids;
    }

    /// <summary>Whether the process exists and is not a zombie.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Split(") ").LastOrDefault() is { } rest && !rest.StartsWith('Z');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="pid"/> ignores <paramref name="signal"/> (its <c>SigIgn</c> mask in <c>/proc/PID/status</c>).</summary>
    private static bool Ignores(int pid, int signal)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return (mask & (1UL << (signal - 1))) != 0;
    }

    [GeneratedRegex(@"^  control:  (\S+) \(dev mode")]
    private static partial Regex ControlLine();

    [GeneratedRegex(@"^  stop: ")]
    private static partial Regex StopLine();
}
