using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Turbine.Server.Tests.Payloads;

/// <summary>A real loopback Kestrel collector: keeps every POSTed CloudEvents batch; answers 503 to the first <c>failFirst</c> POSTs.</summary>
internal sealed class CloudEventsReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;

    private CloudEventsReceiver(WebApplication app, int failFirst)
    {
        _app = app;
        _failuresLeft = failFirst;
    }

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<(string? ContentType, JsonElement Batch)> Batches { get; } = new();

    public int Posts;

    public IEnumerable<JsonElement> Events => Batches.SelectMany(b => b.Batch.EnumerateArray());

    public static async Task<CloudEventsReceiver> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new CloudEventsReceiver(app, failFirst);
        app.MapPost("/events", async ctx =>
        {
            Interlocked.Increment(ref receiver.Posts);
            if (Interlocked.Decrement(ref receiver._failuresLeft) >= 0)
            {
                ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
            receiver.Batches.Enqueue((ctx.Request.ContentType, doc.RootElement.Clone()));
            ctx.Response.StatusCode = StatusCodes.Status202Accepted;
        });
        await app.StartAsync();
        var address = app.Urls.First();
        receiver.Url = new Uri(address.TrimEnd('/') + "/events");
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
