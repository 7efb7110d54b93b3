using System.Runtime.InteropServices;

namespace Turbine.Cli.Commands;

/// <summary>
/// What ends <c>turbine up</c>: SIGINT (Ctrl+C) or SIGTERM, or one of its hosts asking to stop by itself. <c>up</c>
/// waits for the request only, never for a host's own stop, and then stops the hosts itself in its order (the
/// controller first, which drains and stops its replicas, then the gateway, then the server): each host also reacts
/// to the signal, and waiting on a host's completed stop let <c>up</c> return while the controller was still draining,
/// leaving its replicas running.
/// </summary>
internal sealed class UpShutdown : IDisposable
{
    private readonly TaskCompletionSource<string> _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public UpShutdown()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    /// <summary>Completes with what asked for the stop: a signal, or the first of <paramref name="hostsStopping"/> to fire.</summary>
    /// <param name="hostsStopping">Each host's stop-requested token, named.</param>
    public async Task<string> WaitAsync(params (string Name, CancellationToken Stopping)[] hostsStopping)
    {
        var registrations = hostsStopping.Select(h => h.Stopping.Register(() => _requested.TrySetResult(h.Name + " stopping"))).ToList();
        try
        {
            return await _requested.Task.ConfigureAwait(false);
        }
        finally
        {
            foreach (var registration in registrations)
            {
                await registration.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void Handle(PosixSignalContext context)
    {
        // The process stays up until every host is stopped in order; a second signal changes nothing (the stop is bounded).
        context.Cancel = true;
        _requested.TrySetResult(context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM");
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
    }
}
