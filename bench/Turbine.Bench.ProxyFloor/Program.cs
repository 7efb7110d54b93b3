// The gateway floor (issue 22, item 1): the least a reverse proxy in .NET does — YARP's IHttpForwarder sending every
// request to one destination, nothing else (no routing table, auth, limits, retries, logs). HTTP/1.1 on HTTP_PORT to
// HTTP_DESTINATION, h2c (gRPC) on GRPC_PORT to GRPC_DESTINATION. Driven by bench/gateway-overhead.sh beside the gateway.
// A destination may be a comma-separated list (the `floor2` diagnostic: the same bare forwarder over two servers,
// taken in turn per request — the least a proxy does to spread load, so the gateway's two-replica pool can be compared
// with the cost of having two server processes at all).
// Usage: Turbine.Bench.ProxyFloor HTTP_PORT HTTP_DESTINATION[,...] GRPC_PORT GRPC_DESTINATION[,...]
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Yarp.ReverseProxy.Forwarder;

if (args.Length != 4 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var httpPort)
    || !int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out var grpcPort))
{
    await Console.Error.WriteLineAsync("usage: Turbine.Bench.ProxyFloor HTTP_PORT HTTP_DESTINATION GRPC_PORT GRPC_DESTINATION");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Services.AddHttpForwarder();
builder.WebHost.ConfigureKestrel(k =>
{
    k.Listen(IPAddress.Loopback, httpPort, l => l.Protocols = HttpProtocols.Http1);
    k.Listen(IPAddress.Loopback, grpcPort, l => l.Protocols = HttpProtocols.Http2);
});

var app = builder.Build();
using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    EnableMultipleHttp2Connections = true,
    ConnectTimeout = TimeSpan.FromSeconds(5),
});
var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
var httpDestinations = args[1].Split(',');
var grpcDestinations = args[3].Split(',');
var turn = 0;
var http = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(100) };
var grpc = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(100), Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
// The one thing besides forwarding: the allocation counter gateway-overhead.sh reads around each case (bytes/request).
app.MapGet("/__floor/allocated", () => GC.GetTotalAllocatedBytes(precise: false).ToString(CultureInfo.InvariantCulture));
app.Map("/{**path}", async (HttpContext context) =>
{
    var isGrpc = context.Connection.LocalPort == grpcPort;
    var destinations = isGrpc ? grpcDestinations : httpDestinations;
    var destination = destinations.Length == 1 ? destinations[0] : destinations[(int)((uint)Interlocked.Increment(ref turn) % (uint)destinations.Length)];
    var error = await forwarder.SendAsync(context, destination, invoker, isGrpc ? grpc : http);
    if (error != ForwarderError.None && !context.Response.HasStarted)
    {
        context.Response.StatusCode = StatusCodes.Status502BadGateway;
    }
});

await Console.Out.WriteLineAsync($"proxy floor ready: HTTP on {httpPort} gRPC on {grpcPort}");
await app.RunAsync();
return 0;
