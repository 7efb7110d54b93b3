using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Turbine.Gateway.Tests.TestSupport;

/// <summary>A tiny loopback server for a JWKS: counts fetches, can be switched to answer 500.</summary>
public sealed class JwksServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _fetches;
    private int _failures;

    private JwksServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public volatile string Jwks = "";

    public volatile bool Failing;

    public int Fetches => Volatile.Read(ref _fetches);

    public int Failures => Volatile.Read(ref _failures);

    public static async Task<JwksServer> StartAsync(string jwks)
    {
        JwksServer? self = null;
        var (app, address) = await LoopbackApp.StartAsync(async context =>
        {
            Interlocked.Increment(ref self!._fetches);
            if (self.Failing)
            {
                Interlocked.Increment(ref self._failures);
                context.Response.StatusCode = 500;
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(self.Jwks);
        });
        self = new JwksServer(app, new Uri(address, "/.well-known/jwks.json")) { Jwks = jwks };
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
