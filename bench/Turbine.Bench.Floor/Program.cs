// The HTTP transport floor (PERFORMANCE.md, reference 2): a minimal Kestrel endpoint, HTTP/1.1 only, that reads and
// discards the request body and answers a fixed small JSON body. Usage: Turbine.Bench.Floor PORT
using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;

if (args.Length != 1 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
{
    await Console.Error.WriteLineAsync("usage: Turbine.Bench.Floor PORT");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http1));

var app = builder.Build();
byte[] body = """{"model_name":"floor","outputs":[]}"""u8.ToArray();
byte[] scratch = new byte[16 * 1024];

app.MapPost("/floor", async (HttpContext context) =>
{
    var request = context.Request.Body;
    while (await request.ReadAsync(scratch, context.RequestAborted).ConfigureAwait(false) > 0)
    {
    }

    context.Response.ContentType = "application/json";
    context.Response.ContentLength = body.Length;
    await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
});

await app.StartAsync().ConfigureAwait(false);
Console.WriteLine($"floor ready: HTTP on http://127.0.0.1:{port}/");
await app.WaitForShutdownAsync().ConfigureAwait(false);
return 0;
