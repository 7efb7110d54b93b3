using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Turbine.Gateway.Tests.TestSupport;

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
        ScriptedBackend? self = null;
        var (app, address) = await LoopbackApp.StartAsync(async context =>
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
