using System.Net;
using System.Net.Sockets;

namespace Turbine.TestSupport;

/// <summary>Loopback ports for servers and processes a test starts.</summary>
public static class Loopback
{
    /// <summary>
    /// A loopback port nothing listens on right now (the OS picked it for a listener that is closed again): for a
    /// process that needs a port number up front, or as a port where connections are refused.
    /// </summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
