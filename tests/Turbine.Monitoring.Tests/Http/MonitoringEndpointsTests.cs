using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Turbine.Monitoring.Http;
using Turbine.Monitoring.Online;
using Turbine.Monitoring.Profiles;
using Turbine.Monitoring.Tests.Online;

namespace Turbine.Monitoring.Tests.Http;

/// <summary>The monitoring HTTP API on a real Kestrel on loopback with a real HttpClient.</summary>
public sealed class MonitoringEndpointsTests
{
    [Fact]
    public async Task Feedback_Report_Metrics_OverHttp()
    {
        await using var service = new MonitoringService();
        var monitor = service.Configure("fraud", new MonitorSettings { Profile = ProfileBuilder.Build(StreamData.Table(1, 2000)), WindowRows = 100 });
        foreach (var o in StreamData.Observations(StreamData.Table(4, 200, 0.5), "fraud", 3, DateTimeOffset.UnixEpoch, 1))
        {
            monitor.Observe(o);
        }

        var port = Loopback.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        app.MapTurbineMonitoring(service);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        // One label, a batch, a CSV import; unknown ids counted, never an error.
        var one = await (await http.PostAsJsonAsync("/v2/models/fraud/feedback", new { id = "r-0", label = 1 })).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(1, (int)one!["joined"]!);
        var batch = await http.PostAsJsonAsync("/v2/models/fraud/feedback", new { feedback = new object[] { new { id = "r-1", labels = new[] { 0 } }, new { id = "nope", label = 1 }, new { id = "r-0", label = 1 } } });
        var counts = await batch.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal((1, 1, 1), ((int)counts!["joined"]!, (int)counts["unknown"]!, (int)counts["duplicate"]!));
        using var csv = new StringContent("id,label\nr-2,1\nr-3,0\nghost,1\n", Encoding.UTF8, "text/csv");
        var imported = await (await http.PostAsync("/v2/models/fraud/feedback", csv)).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal((2, 1), ((int)imported!["joined"]!, (int)imported["unknown"]!));

        // Bad input: a clear 400; an unmonitored model: 404.
        using var bad = new StringContent("{\"label\":1}", Encoding.UTF8, "application/json");
        var badAnswer = await http.PostAsync("/v2/models/fraud/feedback", bad);
        Assert.Equal(HttpStatusCode.BadRequest, badAnswer.StatusCode);
        Assert.Contains("each feedback entry needs a string", await badAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsJsonAsync("/v2/models/other/feedback", new { id = "x", label = 1 })).StatusCode);

        var report = await http.GetFromJsonAsync<JsonObject>("/v2/models/fraud/monitoring");
        var latest = report!["latest"]!;
        Assert.Equal(3, (long)latest["version"]!);
        Assert.True((bool)latest["drift"]!["datasetDrift"]!);
        Assert.Equal(2, report["windows"]!.AsArray().Count);
        Assert.Equal(2, (long)report["unknownFeedback"]!);
        var first = report["windows"]![0]!;
        Assert.Equal(4, (double)first["performance"]!["count"]!); // r-0, r-1, r-2, r-3 were in the first window

        // The dashboard's Model-health document, from the same latest window.
        var summary = await http.GetFromJsonAsync<JsonObject>("/api/v1/monitoring/models/fraud/summary");
        Assert.Equal("fraud", (string)summary!["model"]!);
        Assert.Equal(3, (long)summary["version"]!);
        Assert.Equal((bool)latest["drift"]!["datasetDrift"]!, (bool)summary["datasetDrift"]!);
        var drifted = latest["drift"]!["features"]!.AsArray().Where(f => f!["skipped"] is null).ToArray();
        Assert.Equal(drifted.Length, summary["features"]!.AsArray().Count);
        var feature = summary["features"]![0]!;
        var source = drifted.Single(f => (string)f!["feature"]! == (string)feature["name"]!)!;
        Assert.Equal((double)source["score"]!, (double)feature["drift"]!["score"]!);
        Assert.Equal((string)source["test"]!, (string)feature["drift"]!["method"]!);
        Assert.Equal(source["distribution"]!["reference"]!.AsArray().Count, feature["reference"]!["counts"]!.AsArray().Count);
        Assert.Equal((long)latest["rows"]!, (long)summary["quality"]!["rows"]!);
        Assert.Contains(summary["performance"]!.AsArray(), p => (string)p!["metric"]! == "accuracy");
        Assert.EndsWith("/v2/models/fraud/monitoring/report.html", (string)summary["reportUrl"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/monitoring/models/other/summary")).StatusCode);

        var html = await http.GetStringAsync("/v2/models/fraud/monitoring/report.html");
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        var metrics = await http.GetStringAsync("/v2/monitoring/metrics");
        Assert.Contains("turbine_drift_detected{model=\"fraud\",version=\"3\",feature=\"__dataset__\"} 1", metrics, StringComparison.Ordinal);
        await app.StopAsync();
    }
}
