using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Turbine.Dashboard.Tests;

/// <summary>
/// The monitoring service's side of the contract docs/dashboard.md defines (the monitoring service is built on another
/// branch): a loopback HTTP server answering <c>GET /api/v1/monitoring/models/simple/summary</c> with that shape,
/// and 404 for other models. It records the Authorization header it was sent.
/// </summary>
public sealed class MonitoringStub : IAsyncDisposable
{
    public const string Summary = """
        {
          "model": "simple",
          "window": { "from": "2026-12-06T10:00:00Z", "to": "2026-12-06T11:00:00Z" },
          "reportUrl": "http://127.0.0.1:1/reports/simple.html",
          "features": [
            { "name": "INPUT0[0]", "drift": { "method": "psi", "score": 0.31, "threshold": 0.2, "drifted": true },
              "reference": { "bins": ["0-4", "4-8", "8-12", "12-16"], "counts": [250, 250, 250, 250] },
              "current": { "bins": ["0-4", "4-8", "8-12", "12-16"], "counts": [100, 150, 300, 450] } },
            { "name": "INPUT1[0]", "drift": { "method": "psi", "score": 0.01, "threshold": 0.2, "drifted": false },
              "reference": { "bins": ["0", "1", "2"], "counts": [10, 980, 10] },
              "current": { "bins": ["0", "1", "2"], "counts": [12, 975, 13] } }
          ],
          "quality": { "rows": 1000, "missing": 3, "outOfRange": 1, "typeErrors": 0 },
          "performance": [
            { "at": "2026-12-06T10:00:00Z", "metric": "accuracy", "value": 0.95 },
            { "at": "2026-12-06T10:30:00Z", "metric": "accuracy", "value": 0.93 },
            { "at": "2026-12-06T11:00:00Z", "metric": "accuracy", "value": 0.89 }
          ]
        }
        """;

    private readonly WebApplication _app;

    private MonitoringStub(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public string? LastAuthorization { get; private set; }

    public static async Task<MonitoringStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        MonitoringStub? stub = null;
        app.MapGet("/api/v1/monitoring/models/{model}/summary", (string model, HttpContext context) =>
        {
            stub!.LastAuthorization = context.Request.Headers.Authorization.ToString();
            return model == "simple"
                ? Results.Text(Summary, "application/json")
                : Results.Json(new { error = $"no statistics for model '{model}'" }, statusCode: 404);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        stub = new MonitoringStub(app, new Uri(address));
        return stub;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
