using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Turbine.Core.Lifecycle;
using Turbine.Monitoring.Explain;
using Turbine.Samples;
using Turbine.Server;

namespace Turbine.Monitoring.Tests.Http;

/// <summary><c>"explainer": "permutation"</c> on the server's explain route: the iris ONNX model, perturbed rows through the engine.</summary>
public sealed class ExplainPermutationTests
{
    [Fact]
    public async Task Permutation_OverHttp_EqualsTheLibraryOnTheSameModel_BadBodiesAre400()
    {
        using var folder = new TempFolder("turbine-explain-permutation");
        SampleRepository.CreateModel(folder.Path, "iris");
        await using var server = await TurbineServer.StartAsync(new ServerOptions
        {
            Engine = new() { ModelRepository = folder.Path, ControlMode = ModelControlMode.None },
            HttpPort = 0,
            GrpcPort = 0,
            MetricsPort = 0,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        }, l => l.SetMinimumLevel(LogLevel.Warning));
        using var http = new HttpClient { BaseAddress = server.HttpAddress };
        var data = IrisDataSet.Load();
        var rows = data.Features.Select(f => f.Select(v => (double)v).ToArray()).ToArray();
        var labels = data.Labels.Select(l => (double)l).ToArray();

        var answer = await http.PostAsJsonAsync("/v2/models/iris/explain", new { explainer = "permutation", instances = rows, labels, repeats = 4, seed = 9 });
        var alibi = await answer.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(answer.IsSuccessStatusCode, alibi?.ToJsonString());
        Assert.Equal("PermutationImportance", (string)alibi!["meta"]!["name"]!);
        Assert.Equal(["global"], alibi["meta"]!["explanations"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("accuracy", (string)alibi["data"]!["metric_names"]![0]!); // three outputs per row: class scores

        // The same computation in-process on the model the ONNX file was exported from (same seed, same shuffles).
        var iris = SampleRepository.TrainIris();
        var expected = await PermutationImportance.ComputeAsync(
            (batch, _) => Task.FromResult(batch.Select(r => iris.PredictProbabilities(r.Select(v => (float)v).ToArray()).Select(p => (double)p).ToArray()).ToArray()),
            rows, labels, PermutationImportance.Accuracy, target: 0, repeats: 4, seed: 9);
        var importance = alibi["data"]!["feature_importance"]![0]!.AsArray();
        Assert.Equal(4, importance.Count);
        for (var j = 0; j < 4; j++)
        {
            var samples = importance[j]!["samples"]!.AsArray().Select(v => (double)v!).ToArray();
            Assert.Equal(expected.Samples[j], samples, (a, b) => Math.Abs(a - b) <= (1.0 / 150) + 1e-9); // a float/double tie may flip one row
            Assert.Equal(samples.Average(), (double)importance[j]!["mean"]!, 9);
        }

        Assert.Equal(expected.Baseline, (double)alibi["data"]!["baseline"]!["accuracy"]!, 2);
        Assert.True(expected.Means[2] + expected.Means[3] > expected.Means[0] + expected.Means[1]); // the petals decide

        // Regression metric on output 2, asked for explicitly.
        var mse = await http.PostAsJsonAsync("/v2/models/iris/explain", new { explainer = "permutation", instances = rows[..20], labels = labels[..20], metric = "mean_squared_error", target = 2, repeats = 2 });
        var mseBody = await mse.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(mse.IsSuccessStatusCode, mseBody?.ToJsonString());
        Assert.Equal("mean_squared_error", (string)mseBody!["data"]!["metric_names"]![0]!);
        Assert.Equal(2, (int)mseBody["meta"]!["params"]!["target"]!);

        // Bad bodies: clear 400s naming the problem.
        (object Body, string Message)[] bad =
        [
            (new { explainer = "permutation", instances = rows[..3], labels = labels[..2] }, "\"labels\" must hold one finite number per instance (3)"),
            (new { explainer = "permutation", instances = rows[..3], labels = labels[..3], repeats = 0 }, "\"repeats\" must be between 1 and 20"),
            (new { explainer = "permutation", instances = rows[..3], labels = labels[..3], metric = "f1" }, "\"metric\" must be one of accuracy, mean_squared_error, mean_absolute_error"),
            (new { explainer = "lime", instances = rows[..1] }, "unknown \"explainer\" \"lime\"; explainers that apply to tabular models: kernel_shap, permutation"),
        ];
        foreach (var (body, message) in bad)
        {
            var refused = await http.PostAsJsonAsync("/v2/models/iris/explain", body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(message, (string)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["error"]!, StringComparison.Ordinal);
        }
    }
}
