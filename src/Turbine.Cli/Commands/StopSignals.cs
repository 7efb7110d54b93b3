using System.Runtime.InteropServices;

namespace Turbine.Cli.Commands;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM ask a batch run to stop at the next part boundary instead of killing it; a second
/// signal, once a stop was asked, ends the process at once (the manifest keeps what was committed).
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    private StopSignals(CancellationTokenSource stop)
    {
        _stop = stop;
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public static StopSignals Register(CancellationTokenSource stop) => new(stop);

    private void Handle(PosixSignalContext context)
    {
        if (_stop.IsCancellationRequested)
        {
            return; // a second signal: the default action ends the process
        }

        context.Cancel = true;
        Console.Error.WriteLine("turbine: stopping after the part being scored is committed (signal again to exit now)");
        _stop.Cancel();
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
    }
}
