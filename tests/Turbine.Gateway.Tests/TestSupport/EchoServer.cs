using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Turbine.Gateway.Tests.TestSupport;

/// <summary>
/// A loopback backend that answers every request with the request's method, path and headers as JSON, and sends
/// the response headers <c>x-internal: secret</c> and <c>x-backend: echo</c>; it records the last request's headers.
/// </summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<EchoServer> StartAsync()
    {
        var (app, address) = await LoopbackApp.StartAsync(async context =>
        {
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToArray());
            context.Response.Headers["x-internal"] = "secret";
            context.Response.Headers["x-backend"] = "echo";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { method = context.Request.Method, path = context.Request.Path.Value, headers }));
        });
        return new EchoServer(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
