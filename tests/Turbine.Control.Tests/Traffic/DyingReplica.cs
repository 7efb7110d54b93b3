using System.Net;
using System.Net.Sockets;

namespace Turbine.Control.Tests.Traffic;

/// <summary>
/// A replica that accepts requests and never answers, until <see cref="Kill"/> does what kill -9 does to it: every open
/// connection is reset (RST, no response byte) and the port refuses new connections.
/// </summary>
internal sealed class DyingReplica : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _accepted = [];
    private readonly Lock _lock = new();
    private int _requests;
    private bool _killed;

    public DyingReplica()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/");
        _ = AcceptAsync();
    }

    public Uri Address { get; }

    /// <summary>Requests (first bytes of a connection) received so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public void Kill()
    {
        lock (_lock)
        {
            _killed = true;
            _listener.Close();
            foreach (var s in _accepted)
            {
                s.LingerState = new LingerOption(true, 0); // close with RST
                s.Close();
            }

            _accepted.Clear();
        }
    }

    public void Dispose() => Kill();

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_lock)
            {
                if (_killed)
                {
                    socket.Dispose();
                    return;
                }

                _accepted.Add(socket);
            }

            _ = ReadAsync(socket);
        }
    }

    private async Task ReadAsync(Socket socket)
    {
        var buffer = new byte[65536];
        try
        {
            while (await socket.ReceiveAsync(buffer) > 0)
            {
                Interlocked.Increment(ref _requests);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
