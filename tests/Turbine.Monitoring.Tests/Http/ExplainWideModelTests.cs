using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Turbine.Core.Lifecycle;
using Turbine.Samples;
using Turbine.Server;

namespace Turbine.Monitoring.Tests.Http;

/// <summary>
/// KernelSHAP's sampled path (20 features &gt; 11) on a real non-linear ONNX model served by the server: the perturbed
/// rows go through the engine, and Σφ = f(x) − E[f(background)] with f computed independently in C#.
/// </summary>
public sealed class ExplainWideModelTests
{
    [Fact]
    public async Task KernelShap_TwentyFeatures_Sampled_SumOfPhiIsPredictionMinusExpectation()
    {
        using var folder = new TempFolder("turbine-explain-wide");
        var model = WideTabularSample.Create();
        model.Write(folder.Path);
        await using var server = await TurbineServer.StartAsync(new ServerOptions
        {
            Engine = new() { ModelRepository = folder.Path, ControlMode = ModelControlMode.None },
            HttpPort = 0,
            GrpcPort = 0,
            MetricsPort = 0,
            ShutdownTimeout = TimeSpan.FromSeconds(10),
        }, l => l.SetMinimumLevel(LogLevel.Warning));
        using var http = new HttpClient { BaseAddress = server.HttpAddress };

        var random = new Random(5);
        double[] Row() => Enumerable.Range(0, WideTabularSample.Features).Select(_ => Math.Round((random.NextDouble() * 4) - 2, 3)).ToArray();
        var background = Enumerable.Range(0, 8).Select(_ => Row()).ToArray();
        var x = Row();
        var answer = await http.PostAsJsonAsync("/v2/models/wide20/explain", new { instances = new[] { x }, background });
        var alibi = await answer.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(answer.IsSuccessStatusCode, alibi?.ToJsonString());

        Assert.False((bool)alibi!["meta"]!["params"]!["exact"]!); // 20 > 11 features: sampled coalitions
        var phi = alibi["data"]!["shap_values"]![0]![0]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.Equal(WideTabularSample.Features, phi.Length);
        var expected = background.Average(b => model.Predict(b));
        var fx = model.Predict(x);
        Assert.Equal(expected, (double)alibi["data"]!["expected_value"]![0]!, 4); // the model in float vs C# in double
        Assert.Equal(fx - expected, phi.Sum(), 4);
        Assert.True(Math.Abs(fx - expected) > 0.01, "the instance should be explained away from the background's mean");
        Assert.Contains(phi, v => Math.Abs(v) > 1e-3); // not all zero: the features matter
    }
}
