using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Turbine.Client.Tests.Infrastructure;

/// <summary>
/// A real Kestrel server on a free loopback port that records every request (raw target, headers, body bytes)
/// and answers with whatever <see cref="Respond"/> returns.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<CapturedRequest> _requests = new();

    private LoopbackServer(WebApplication app, Func<CapturedRequest, CannedResponse> respond)
    {
        _app = app;
        Respond = respond;
    }

    public Func<CapturedRequest, CannedResponse> Respond { get; set; }

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<CapturedRequest> Requests => [.. _requests];

    public CapturedRequest LastRequest => _requests.Last();

    public static async Task<LoopbackServer> StartAsync(Func<CapturedRequest, CannedResponse> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new LoopbackServer(app, respond);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseAddress = new Uri(address + "/");
        return server;
    }

    /// <summary>Starts a server that always answers with <paramref name="response"/>.</summary>
    public static Task<LoopbackServer> StartAsync(CannedResponse response) => StartAsync(_ => response);

    public TurbineHttpClient CreateClient() => new(BaseAddress);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var captured = new CapturedRequest(context.Request.Method, rawTarget, headers, body.ToArray());
        _requests.Enqueue(captured);

        var response = Respond(captured);
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.ContentLength = response.Body.Length;
        await context.Response.Body.WriteAsync(response.Body);
    }
}
