using System.Net;
using System.Net.Sockets;

namespace Turbine.EndToEnd.Tests;

/// <summary>
/// A loopback TCP relay that holds every chunk from the client for a fixed delay before passing it to the
/// upstream: a replica behind it is really slow (each request arrives late), with nothing changed in the server.
/// </summary>
public sealed class DelayProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private readonly Uri _upstream;
    private readonly TimeSpan _delay;

    public DelayProxy(Uri upstream, TimeSpan delay)
    {
        _upstream = upstream;
        _delay = delay;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accept = AcceptAsync();
    }

    public Uri Address { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
                var a = client.GetStream();
                var b = upstream.GetStream();
                await Task.WhenAny(PumpAsync(a, b, _delay), PumpAsync(b, a, TimeSpan.Zero));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    private async Task PumpAsync(Stream from, Stream to, TimeSpan delay)
    {
        var buffer = new byte[65536];
        int n;
        while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _stop.Token); // the simulated slowness itself, not a wait for a condition
            }

            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }
}
