using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Turbine.Gateway.Tests.Proxy;

/// <summary>
/// A loopback HTTP backend with a scripted answer: a fixed status and body, optionally held until <see cref="Release"/>
/// (to keep requests in flight). Health endpoints answer 200. Counts the requests it received.
/// </summary>
public sealed class ScriptedBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _received;

    private ScriptedBackend(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public int Received => Volatile.Read(ref _received);

    public static async Task<ScriptedBackend> StartAsync(int status, string body, bool hold = false)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        ScriptedBackend? self = null;
        app.Run(async context =>
        {
            if (context.Request.Path.StartsWithSegments("/v2/health"))
            {
                return;
            }

            Interlocked.Increment(ref self!._received);
            if (hold)
            {
                await self._gate.Task;
            }

            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        self = new ScriptedBackend(app, address);
        return self;
    }

    public void Release() => _gate.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
