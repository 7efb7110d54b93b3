using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Turbine.Server;

/// <summary>
/// Checks that the ports the server will listen on can be bound before any model loads, so a busy port fails at once
/// with one line naming the port and its flag (not after every model loaded, and not as Kestrel's stack trace).
/// </summary>
public static class PortProbe
{
    /// <summary>The same for a host as the flags give it (an IP address or <c>localhost</c>); a name that is not an address is not probed.</summary>
    public static void EnsureFree(string host, IReadOnlyList<(int Port, string Name, string Flag)> ports)
    {
        if (host is "localhost")
        {
            EnsureFree(IPAddress.Loopback, ports);
        }
        else if (IPAddress.TryParse(host, out var address))
        {
            EnsureFree(address, ports);
        }
    }

    /// <summary>
    /// Binds every fixed (non-zero) port at once, then releases them; a port that cannot be bound (in use, or asked for
    /// twice) is an <see cref="IOException"/> naming it. Port 0 is skipped: Kestrel picks a free one.
    /// </summary>
    public static void EnsureFree(IPAddress address, IReadOnlyList<(int Port, string Name, string Flag)> ports)
    {
        var held = new List<Socket>();
        try
        {
            foreach (var (port, name, flag) in ports)
            {
                if (port == 0)
                {
                    continue;
                }

                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                held.Add(socket);
                try
                {
                    socket.Bind(new IPEndPoint(address, port));
                    socket.Listen(1);
                }
                catch (SocketException e)
                {
                    var why = e.SocketErrorCode switch
                    {
                        SocketError.AddressAlreadyInUse => ports.Count(p => p.Port == port) > 1
                            ? "is given for more than one endpoint"
                            : "is already in use (another process listens on it)",
                        SocketError.AccessDenied => "needs privileges this process does not have",
                        SocketError.AddressNotAvailable => "cannot be bound: the address is not one of this machine's",
                        _ => $"cannot be bound: {e.Message}",
                    };
                    throw new IOException(string.Create(CultureInfo.InvariantCulture,
                        $"{name} port {port} on {address} {why}; choose another with {flag} (0 picks a free port)"), e);
                }
            }
        }
        finally
        {
            foreach (var socket in held)
            {
                socket.Dispose();
            }
        }
    }
}
