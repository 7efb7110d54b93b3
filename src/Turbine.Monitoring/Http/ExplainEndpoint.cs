using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Core;
using Turbine.Core.Tensors;
using Turbine.Monitoring.Explain;
using Turbine.Monitoring.Online;

namespace Turbine.Monitoring.Http;

/// <summary>
/// <c>POST /v2/models/{m}[/versions/{v}]/explain</c> — <c>{"instances": [[…]], "background"?: [[…]], "target"?: k}</c>
/// → one Alibi KernelShap explanation per instance. The model must take one FP32 matrix [batch, features]; the
/// perturbed rows go through the engine (its scheduler and dynamic batcher) in batches of the model's max batch size.
/// The background is the request's, else rows built from the monitoring profile's reference values.
/// </summary>
public static class ExplainEndpoint
{
    public const int MaxInstances = 16;
    public const int MaxBackgroundRows = 100;

    public static IEndpointRouteBuilder MapTurbineExplain(this IEndpointRouteBuilder routes, InferenceEngine engine, MonitoringService? monitoring)
    {
        routes.MapPost("/v2/models/{model}/explain", (string model, HttpRequest request, CancellationToken ct) => ExplainAsync(engine, monitoring, model, null, request, ct));
        routes.MapPost("/v2/models/{model}/versions/{version}/explain", (string model, long version, HttpRequest request, CancellationToken ct) => ExplainAsync(engine, monitoring, model, version, request, ct));
        return routes;
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private static async Task<IResult> ExplainAsync(InferenceEngine engine, MonitoringService? monitoring, string model, long? version, HttpRequest request, CancellationToken ct)
    {
        var metadata = engine.GetModelMetadata(model, version);
        var config = engine.GetModelConfig(model, version);
        if (!metadata.IsOk || !config.IsOk)
        {
            return Error(404, (metadata.Error ?? config.Error)!.Message);
        }

        var inputs = metadata.Value!.Inputs;
        var features = inputs is [{ Datatype: "FP32", Shape: [.., var k] } input] && k > 0 && input.Shape.Count <= 2 ? (int)k : -1;
        if (features < 1 || metadata.Value.Outputs.Count == 0 || metadata.Value.Outputs[0].Datatype != "FP32")
        {
            return Error(400, $"model '{model}' is not tabular (explain needs one FP32 input [batch, features] and an FP32 output; it has inputs {string.Join(", ", inputs.Select(i => $"{i.Name} {i.Datatype} [{string.Join(",", i.Shape)}]"))}); explainers that apply to tabular models: kernel_shap");
        }

        JsonNode? body;
        using (var limited = new LimitedStream(request.Body, 4L << 20))
        {
            try
            {
                body = await JsonNode.ParseAsync(limited, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
            {
                return Error(400, $"explain: {e.Message}");
            }
        }

        double[][] instances, background;
        try
        {
            instances = Rows(body?["instances"], features, "instances", MaxInstances);
            background = body?["background"] is { } given ? Rows(given, features, "background", MaxBackgroundRows) : ProfileBackground(monitoring, model, features);
        }
        catch (FormatException e)
        {
            return Error(400, $"explain: {e.Message}");
        }

        var outputName = metadata.Value.Outputs[0].Name;
        var inputName = inputs[0].Name;
        var batchRows = Math.Max(config.Value!.MaxBatchSize, 1);
        var target = (int?)body?["target"];
        string? failure = null;
        async Task<double[][]> RunAsync(double[][] rows, CancellationToken token)
        {
            // The perturbed rows are the server's own: kept out of the payload log and so out of the drift windows.
            using var infer = new InferenceRequest(model, version) { ExcludeFromPayloadLog = true };
            var bytes = new byte[rows.Length * features * 4];
            for (var r = 0; r < rows.Length; r++)
            {
                for (var j = 0; j < features; j++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(((r * features) + j) * 4), (float)rows[r][j]);
                }
            }

            infer.Inputs.Add(new InferenceTensor(inputName, TensorDataType.FP32, [rows.Length, features], bytes));
            var result = await engine.InferAsync(infer, token).ConfigureAwait(false);
            if (!result.IsOk)
            {
                failure = result.Error!.Message;
                throw new InvalidOperationException(failure);
            }

            using var response = result.Value!;
            var output = response.Outputs.First(o => o.Name == outputName);
            var width = (int)(output.ElementCount / rows.Length);
            var data = output.Data.Span;
            var result2 = new double[rows.Length][];
            for (var r = 0; r < rows.Length; r++)
            {
                result2[r] = new double[width];
                for (var c = 0; c < width; c++)
                {
                    result2[r][c] = BinaryPrimitives.ReadSingleLittleEndian(data[(((r * width) + c) * 4)..]);
                }
            }

            return result2;
        }

        var explanations = new JsonArray();
        try
        {
            foreach (var x in instances)
            {
                var prediction = (await RunAsync([x], ct).ConfigureAwait(false))[0];
                var index = target ?? Array.IndexOf(prediction, prediction.Max());
                if (index < 0 || index >= prediction.Length)
                {
                    return Error(400, $"explain: target {index} is not an output index (the output has {prediction.Length} values per row)");
                }

                var shap = new KernelShap(async (rows, token) => (await RunAsync(rows, token).ConfigureAwait(false)).Select(p => p[index]).ToArray(), background) { BatchRows = batchRows };
                var explanation = await shap.ExplainAsync(x, ct).ConfigureAwait(false);
                var names = Enumerable.Range(0, features).Select(j => monitoring?.Find(model)?.Settings.Profile.Features.ElementAtOrDefault(j)?.Name ?? $"f{j}").ToArray();
                var alibi = explanation.ToAlibi(names, x, background.Length);
                alibi["meta"]!["params"]!["target"] = index;
                explanations.Add(alibi);
            }
        }
        catch (InvalidOperationException) when (failure is not null)
        {
            return Error(503, $"explain: inference failed: {failure}");
        }

        return Results.Text(instances.Length == 1 ? explanations[0]!.ToJsonString() : new JsonObject { ["explanations"] = explanations }.ToJsonString(), "application/json");
    }

    private static double[][] Rows(JsonNode? node, int features, string name, int max)
    {
        if (node is not JsonArray rows || rows.Count == 0)
        {
            throw new FormatException($"\"{name}\" must be a non-empty array of rows of {features} numbers");
        }

        if (rows.Count > max)
        {
            throw new FormatException($"\"{name}\" has {rows.Count} rows, at most {max} are accepted");
        }

        return rows.Select(r => r is JsonArray values && values.Count == features && values.All(v => v is JsonValue)
            ? values.Select(v => (double)v!).ToArray()
            : throw new FormatException($"each row of \"{name}\" must hold {features} numbers")).ToArray();
    }

    private static double[][] ProfileBackground(MonitoringService? monitoring, string model, int features)
    {
        var profile = monitoring?.Find(model)?.Settings.Profile
            ?? throw new FormatException("no background: send \"background\" rows, or monitor the model with a reference profile");
        var samples = profile.Features.Take(features).Select(f => f.Sample ?? []).ToArray();
        if (samples.Length != features || samples.Any(s => s.Length == 0))
        {
            throw new FormatException($"the reference profile does not hold {features} numeric features with reference values; send \"background\" rows");
        }

        // Up to 20 rows: the reference values at evenly spaced positions of each feature's sample.
        var rows = Math.Min(20, samples.Min(s => s.Length));
        return Enumerable.Range(0, rows).Select(r => samples.Select(s => s[(int)((r + 0.5) * s.Length / rows)]).ToArray()).ToArray();
    }
}
