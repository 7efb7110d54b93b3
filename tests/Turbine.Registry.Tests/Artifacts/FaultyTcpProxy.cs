using System.Net;
using System.Net.Sockets;

namespace Turbine.Registry.Tests.Artifacts;

/// <summary>
/// A loopback TCP proxy in front of a server that can break connections the way a flaky network does: once the
/// client has sent <see cref="BreakAfterBytes"/> bytes in total, the connection carrying them is reset (once, or for
/// every later connection too when <see cref="BreakForever"/>).
/// </summary>
internal sealed class FaultyTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _sent;
    private int _breaks;

    public FaultyTcpProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public long BreakAfterBytes { get; init; } = long.MaxValue;

    public bool BreakForever { get; init; }

    /// <summary>How many connections were reset.</summary>
    public int Breaks => Volatile.Read(ref _breaks);

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
                await server.ConnectAsync(_target, _stop.Token);
                var toClient = server.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
                var upstream = client.GetStream();
                var downstream = server.GetStream();
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await upstream.ReadAsync(buffer, _stop.Token)) > 0)
                {
                    var total = Interlocked.Add(ref _sent, read);
                    if (total > BreakAfterBytes && (BreakForever || Interlocked.CompareExchange(ref _breaks, 1, 0) == 0))
                    {
                        if (BreakForever)
                        {
                            Interlocked.Increment(ref _breaks);
                        }

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
