using Turbine.TestSupport;

namespace Turbine.EndToEnd.Tests;

/// <summary>
/// A loopback TCP relay that holds every chunk from the client for a fixed delay before passing it to the
/// upstream: a replica behind it is really slow (each request arrives late), with nothing changed in the server.
/// </summary>
internal sealed class DelayProxy(Uri upstream, TimeSpan delay) : TcpRelay(upstream)
{
    public Uri Address => new($"http://127.0.0.1:{Port}/");

    protected override async ValueTask<bool> ForwardChunkAsync(int length, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken); // the simulated slowness itself, not a wait for a condition
        return true;
    }
}
