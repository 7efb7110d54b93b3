using System.Net;
using System.Net.Sockets;

namespace Turbine.TestSupport;

/// <summary>
/// A loopback TCP relay in front of an upstream server
/// that lets a subclass act on every chunk the client sends before it is passed on: hold it (a slow replica), or
/// reset the connection (a flaky network). Answers flow back untouched.
/// </summary>
public abstract class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Uri _upstream;
    private readonly Task _accepting;

    protected TcpRelay(Uri upstream)
    {
        _upstream = upstream;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>The relay's own loopback port.</summary>
    protected int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>Called for each chunk from the client before it goes upstream; false resets both connections instead.</summary>
    protected abstract ValueTask<bool> ForwardChunkAsync(int length, CancellationToken cancellationToken);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
                var toClient = server.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
                var upstream = client.GetStream();
                var downstream = server.GetStream();
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await upstream.ReadAsync(buffer, _stop.Token)) > 0)
                {
                    if (!await ForwardChunkAsync(read, _stop.Token))
                    {
                        client.Client.LingerState = new LingerOption(true, 0);
                        server.Client.LingerState = new LingerOption(true, 0);
                        return;
                    }

                    await downstream.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }

                server.Client.Shutdown(SocketShutdown.Send);
                await toClient;
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The other side went away; the relay ends with it.
            }
        }
    }
}
