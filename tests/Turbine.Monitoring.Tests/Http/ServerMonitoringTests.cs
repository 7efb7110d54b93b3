using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Turbine.Core.Lifecycle;
using Turbine.Monitoring.Data;
using Turbine.Monitoring.Online;
using Turbine.Monitoring.Profiles;
using Turbine.Samples;
using Turbine.Server;

namespace Turbine.Monitoring.Tests.Http;

/// <summary>
/// The real server with the iris ONNX model and monitoring on: inference requests flow through the engine's tap (no payload log configured) into
/// windows; feedback joins by request id; the report and /metrics show drift and accuracy.
/// </summary>
public sealed class ServerMonitoringTests
{
    [Fact]
    public async Task Iris_ServedRequests_AreMonitored_FeedbackJoins_ReportAndMetrics()
    {
        using var folder = new TempFolder("turbine-monitor-server");
        SampleRepository.CreateModel(folder.Path, "iris");
        SampleRepository.CreateModel(folder.Path, "simple");

        // Reference: iris-like measurements (sepal/petal length and width); the current traffic is shifted.
        var random = new Random(7);
        double[] means = [5.8, 3.0, 3.8, 1.2];
        var reference = new FeatureTable(Enumerable.Range(0, 4).Select(j => FeatureColumn.Numeric($"f{j}", Enumerable.Range(0, 300).Select(_ => Math.Round(means[j] + random.NextDouble() - 0.5, 2)).ToArray())).ToArray());
        await using var monitoring = new MonitoringService();
        monitoring.Configure("iris", new MonitorSettings { Profile = ProfileBuilder.Build(reference), WindowRows = 40 });

        var options = new ServerOptions
        {
            Engine = new() { ModelRepository = folder.Path, ControlMode = ModelControlMode.None },
            HttpPort = 0,
            GrpcPort = 0,
            MetricsPort = 0,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
            Monitoring = monitoring,
        };
        await using var server = await TurbineServer.StartAsync(options, l => l.SetMinimumLevel(LogLevel.Warning));
        using var http = new HttpClient { BaseAddress = server.HttpAddress };
        for (var i = 0; i < 20; i++)
        {
            // Two rows per request, the petal length shifted up by 2.
            var rows = Enumerable.Range(0, 2).SelectMany(_ => means.Select((m, j) => m + (j == 2 ? 2 : 0) + random.NextDouble() - 0.5)).ToArray();
            var body = $"{{\"id\":\"q{i}\",\"inputs\":[{{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[{string.Join(",", rows.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}]}}]}}";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var answer = await http.PostAsync("/v2/models/iris/infer", content);
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }

        Assert.Null(server.Engine.PayloadLog); // the engine's tap, not the payload log
        await monitoring.FlushAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(40, monitoring.Find("iris")!.ObservedRows); // explain's in-process rows below are not observed

        // Labels: class 2 for every row of the first ten requests; the model predicts from the probabilities output.
        var feedback = await http.PostAsJsonAsync("/v2/models/iris/feedback", Enumerable.Range(0, 10).Select(i => new { id = $"q{i}", labels = new[] { 2, 2 } }).Append(new { id = "unknown", labels = new[] { 1 } }).ToArray());
        var counts = await feedback.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal((10, 1), ((int)counts!["joined"]!, (int)counts["unknown"]!));

        var report = await http.GetFromJsonAsync<JsonObject>("/v2/models/iris/monitoring");
        var latest = report!["latest"]!;
        Assert.Equal(40, (long)latest["rows"]!);
        var petal = latest["drift"]!["features"]!.AsArray().Single(f => (string)f!["feature"]! == "f2")!;
        Assert.Equal("ks", (string)petal["test"]!);
        Assert.True((bool)petal["drifted"]!);
        Assert.Equal(20, (double)latest["performance"]!["count"]!);
        Assert.InRange((double)latest["performance"]!["accuracy"]!, 0, 1);

        using var metricsClient = new HttpClient();
        var metrics = await metricsClient.GetStringAsync(server.MetricsAddress);
        Assert.Contains("turbine_drift_detected{model=\"iris\",version=\"1\",feature=\"f2\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("turbine_model_performance{model=\"iris\",version=\"1\",metric=\"count\"} 20", metrics, StringComparison.Ordinal);

        // Explain: KernelSHAP through the engine; Σφ = f(x)[target] − mean over the background of f[target].
        var iris = SampleRepository.TrainIris();
        float[][] bg = [[5.0f, 3.4f, 1.5f, 0.2f], [5.9f, 2.8f, 4.3f, 1.3f], [6.5f, 3.0f, 5.5f, 1.8f], [5.7f, 2.6f, 3.5f, 1.0f]];
        float[] x = [6.7f, 3.0f, 5.2f, 2.3f];
        var explained = await http.PostAsJsonAsync("/v2/models/iris/explain", new { instances = new[] { x }, background = bg });
        var alibi = await explained.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(explained.IsSuccessStatusCode, alibi?.ToJsonString());
        var target = (int)alibi!["meta"]!["params"]!["target"]!;
        Assert.Equal(2, target); // virginica
        var phi = alibi["data"]!["shap_values"]![0]![0]!.AsArray().Select(v => (double)v!).ToArray();
        var expected = bg.Average(b => iris.PredictProbabilities(b)[target]);
        Assert.Equal(iris.PredictProbabilities(x)[target] - expected, phi.Sum(), 4);
        Assert.Equal(expected, (double)alibi["data"]!["expected_value"]![0]!, 4);
        Assert.Equal(["f0", "f1", "f2", "f3"], alibi["data"]!["feature_names"]!.AsArray().Select(n => (string)n!));

        // Background from the monitoring profile when none is sent.
        var fromProfile = await http.PostAsJsonAsync("/v2/models/iris/explain", new { instances = new[] { x } });
        Assert.True(fromProfile.IsSuccessStatusCode, await fromProfile.Content.ReadAsStringAsync());
        await monitoring.FlushAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(40, monitoring.Find("iris")!.ObservedRows); // explain's perturbed rows are in-process requests: not observed

        // A model that is not one FP32 matrix: a clear 400 naming what applies.
        var notTabular = await http.PostAsJsonAsync("/v2/models/simple/explain", new { instances = new[] { new[] { 1 } } });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, notTabular.StatusCode);
        Assert.Contains("explainers that apply to tabular models: kernel_shap", await notTabular.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
