using System.Diagnostics;
using System.Net.Sockets;

namespace Turbine.Features.Tests;

/// <summary>Debian's redis-server on a free loopback port, no persistence; stopped by PID on dispose.</summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process _process;

    public RedisServer()
    {
        Port = Loopback.FreePort();
        var psi = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            psi.ArgumentList.Add(a);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect("127.0.0.1", Port);
                using var stream = client.GetStream();
                stream.Write("PING\r\n"u8);
                var buffer = new byte[16];
                var n = stream.Read(buffer);
                if (n > 0 && buffer[0] == (byte)'+')
                {
                    break;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }

            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"redis-server on port {Port} did not answer PING");
            }

            Thread.Sleep(50);
        }
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port},allowAdmin=true";

    public void Dispose()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
