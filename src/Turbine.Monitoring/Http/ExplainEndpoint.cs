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
/// <c>POST /v2/models/{m}[/versions/{v}]/explain</c>. <c>"explainer"</c> picks the method: <c>kernel_shap</c> (default;
/// <c>{"instances": [[…]], "background"?: [[…]], "target"?: k}</c> → one Alibi KernelShap explanation per instance) or
/// <c>permutation</c> (<c>{"instances": [[…]], "labels": […], "metric"?, "repeats"?, "seed"?, "target"?}</c> → one Alibi
/// PermutationImportance explanation of the labelled set). The model must take one FP32 matrix [batch, features]; the
/// perturbed rows go through the engine (its scheduler and dynamic batcher) in batches of the model's max batch size.
/// </summary>
public static partial class ExplainEndpoint
{
    public const int MaxInstances = 16;
    public const int MaxBackgroundRows = 100;

    /// <summary>Explainer names (the <c>"explainer"</c> field).</summary>
    public const string KernelShapName = "kernel_shap";

    public const string PermutationName = "permutation";

    private const string Applicable = "explainers that apply to tabular models: kernel_shap, permutation";

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
            return Error(400, $"model '{model}' is not tabular (explain needs one FP32 input [batch, features] and an FP32 output; it has inputs {string.Join(", ", inputs.Select(i => $"{i.Name} {i.Datatype} [{string.Join(",", i.Shape)}]"))}); {Applicable}");
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

        var explainer = KernelShapName;
        if (body?["explainer"] is { } named && !(named is JsonValue value && value.TryGetValue(out explainer!) && explainer is KernelShapName or PermutationName))
        {
            return Error(400, $"explain: unknown \"explainer\" {named.ToJsonString()}; {Applicable}");
        }

        var tabular = new TabularModel(engine, model, version, inputs[0].Name, metadata.Value.Outputs[0].Name, features, Math.Max(config.Value!.MaxBatchSize, 1));
        var names = Enumerable.Range(0, features).Select(j => monitoring?.Find(model)?.Settings.Profile.Features.ElementAtOrDefault(j)?.Name ?? $"f{j}").ToArray();
        try
        {
            var answer = explainer == PermutationName
                ? await PermutationAsync(tabular, monitoring, body!, names, ct).ConfigureAwait(false)
                : await KernelShapAsync(tabular, monitoring, body, names, ct).ConfigureAwait(false);
            return Results.Text(answer.ToJsonString(), "application/json");
        }
        catch (FormatException e)
        {
            return Error(400, $"explain: {e.Message}");
        }
        catch (InferenceFailedException e)
        {
            return Error(503, $"explain: inference failed: {e.Message}");
        }
    }

    private static async Task<JsonNode> KernelShapAsync(TabularModel tabular, MonitoringService? monitoring, JsonNode? body, string[] names, CancellationToken ct)
    {
        var instances = Rows(body?["instances"], tabular.Features, "instances", MaxInstances);
        var background = body?["background"] is { } given ? Rows(given, tabular.Features, "background", MaxBackgroundRows) : ProfileBackground(monitoring, tabular.Model, tabular.Features);
        var target = Integer(body?["target"], "target");
        var explanations = new JsonArray();
        foreach (var x in instances)
        {
            var prediction = (await tabular.PredictAsync([x], ct).ConfigureAwait(false))[0];
            var index = target ?? Array.IndexOf(prediction, prediction.Max());
            if (index < 0 || index >= prediction.Length)
            {
                throw new FormatException($"target {index} is not an output index (the output has {prediction.Length} values per row)");
            }

            var shap = new KernelShap(async (rows, token) => (await tabular.PredictAsync(rows, token).ConfigureAwait(false)).Select(p => p[index]).ToArray(), background) { BatchRows = tabular.BatchRows };
            var explanation = await shap.ExplainAsync(x, ct).ConfigureAwait(false);
            var alibi = explanation.ToAlibi(names, x, background.Length);
            alibi["meta"]!["params"]!["target"] = index;
            explanations.Add(alibi);
        }

        return instances.Length == 1 ? explanations[0]!.DeepClone() : new JsonObject { ["explanations"] = explanations };
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

        return rows.Select(r => r is JsonArray values && values.Count == features && values.All(v => v is JsonValue number && number.TryGetValue<double>(out _))
            ? values.Select(v => v!.GetValue<double>()).ToArray()
            : throw new FormatException($"each row of \"{name}\" must hold {features} numbers")).ToArray();
    }

    private static int? Integer(JsonNode? node, string name) =>
        node is null ? null
        : node is JsonValue value && value.TryGetValue<int>(out var i) ? i
        : throw new FormatException($"\"{name}\" must be an integer");

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

    /// <summary>A tabular model reached through the engine: rows in, each row's output vector back.</summary>
    private sealed record TabularModel(InferenceEngine Engine, string Model, long? Version, string InputName, string OutputName, int Features, int BatchRows)
    {
        /// <summary>One engine request (the caller keeps rows ≤ <see cref="BatchRows"/>); in-process, so the monitoring tap does not observe it.</summary>
        public async Task<double[][]> PredictAsync(double[][] rows, CancellationToken ct)
        {
            using var infer = new InferenceRequest(Model, Version) { ExcludeFromPayloadLog = true }; // the server's own rows: not in the payload log
            var bytes = new byte[rows.Length * Features * 4];
            for (var r = 0; r < rows.Length; r++)
            {
                for (var j = 0; j < Features; j++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(((r * Features) + j) * 4), (float)rows[r][j]);
                }
            }

            infer.Inputs.Add(new InferenceTensor(InputName, TensorDataType.FP32, [rows.Length, Features], bytes));
            var result = await Engine.InferAsync(infer, ct).ConfigureAwait(false);
            if (!result.IsOk)
            {
                throw new InferenceFailedException(result.Error!.Message);
            }

            using var response = result.Value!;
            var output = response.Outputs.First(o => o.Name == OutputName);
            var width = (int)(output.ElementCount / rows.Length);
            var data = output.Data.Span;
            var values = new double[rows.Length][];
            for (var r = 0; r < rows.Length; r++)
            {
                values[r] = new double[width];
                for (var c = 0; c < width; c++)
                {
                    values[r][c] = BinaryPrimitives.ReadSingleLittleEndian(data[(((r * width) + c) * 4)..]);
                }
            }

            return values;
        }
    }

    private sealed class InferenceFailedException(string message) : Exception(message);
}
