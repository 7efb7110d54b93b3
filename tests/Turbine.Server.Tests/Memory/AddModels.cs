using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Onnx;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Tests.Memory;

/// <summary>
/// Generated small ONNX models <c>add_000</c>… : <c>Y = X + i</c> (FP32, batch × 4), so every answer says which model
/// (and so which load) computed it. Configs may declare <c>memory_bytes</c>, pin the model, or batch dynamically.
/// </summary>
internal static class AddModels
{
    public const int Width = 4;

    public static string Name(int i) => "add_" + i.ToString("000", CultureInfo.InvariantCulture);

    /// <summary>Writes model <paramref name="i"/> into <paramref name="root"/>.</summary>
    /// <param name="root">The repository folder.</param>
    /// <param name="i">The model's index (and the constant it adds).</param>
    /// <param name="declaredBytes">The <c>memory_bytes</c> parameter, or 0 for none (measured).</param>
    /// <param name="pinned">Adds <c>pinned: "true"</c>.</param>
    /// <param name="batchOf">With a value, dynamic batching that holds requests until this many are queued (a slow request made deterministic).</param>
    public static void Create(string root, int i, long declaredBytes, bool pinned = false, int? batchOf = null)
    {
        var name = Name(i);
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(Path.Combine(dir, "1"));
        var graph = new Turbine.Samples.OnnxGraphBuilder(name)
            .Input("X", TensorProto.Types.DataType.Float, "batch", Width.ToString(CultureInfo.InvariantCulture))
            .Output("Y", TensorProto.Types.DataType.Float, "batch", Width.ToString(CultureInfo.InvariantCulture));
        var constant = graph.Initializer("C", [(float)i], 1);
        graph.Node("Add", ["X", constant], "Y");
        File.WriteAllBytes(Path.Combine(dir, "1", "model.onnx"), graph.ToBytes());
        var parameters = new StringBuilder();
        if (declaredBytes > 0)
        {
            parameters.Append(CultureInfo.InvariantCulture, $"parameters {{ key: \"memory_bytes\" value: {{ string_value: \"{declaredBytes}\" }} }}\n");
        }

        if (pinned)
        {
            parameters.Append("parameters { key: \"pinned\" value: { string_value: \"true\" } }\n");
        }

        var batching = batchOf is { } n
            ? $"dynamic_batching {{ preferred_batch_size: [ {n} ] max_queue_delay_microseconds: 60000000 }}\n"
            : "";
        File.WriteAllText(Path.Combine(dir, "config.pbtxt"), $$"""
            name: "{{name}}"
            platform: "onnxruntime_onnx"
            max_batch_size: 8
            input [ { name: "X" data_type: TYPE_FP32 dims: [ {{Width}} ] } ]
            output [ { name: "Y" data_type: TYPE_FP32 dims: [ {{Width}} ] } ]
            instance_group [ { kind: KIND_CPU count: 1 } ]
            {{parameters}}{{batching}}
            """);
    }

    /// <summary>Removes the sample models the harness writes, so only generated models are offered.</summary>
    public static void RemoveOthers(string root)
    {
        foreach (var dir in Directory.GetDirectories(root))
        {
            if (!Path.GetFileName(dir).StartsWith("add_", StringComparison.Ordinal))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    public static string RestBody(float x) =>
        "{\"inputs\":[{\"name\":\"X\",\"shape\":[1," + Width + "],\"datatype\":\"FP32\",\"data\":[" +
        string.Join(",", Enumerable.Range(0, Width).Select(k => (x + k).ToString(CultureInfo.InvariantCulture))) + "]}]}";

    /// <summary>One REST inference; null when the answer is right, else what was wrong.</summary>
    public static async Task<string?> InferRestAsync(HttpClient http, int i, float x)
    {
        using var content = new StringContent(RestBody(x), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"/v2/models/{Name(i)}/infer", content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            return $"REST {Name(i)}: {(int)response.StatusCode} {text}";
        }

        using var doc = JsonDocument.Parse(text);
        var data = doc.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        return Check(i, x, data, "REST");
    }

    /// <summary>One gRPC inference; null when the answer is right, else what was wrong.</summary>
    public static async Task<string?> InferGrpcAsync(GRPCInferenceService.GRPCInferenceServiceClient client, int i, float x)
    {
        var request = new ModelInferRequest { ModelName = Name(i) };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "X", Datatype = "FP32", Contents = new InferTensorContents() };
        input.Shape.Add([1, Width]);
        input.Contents.Fp32Contents.Add(Enumerable.Range(0, Width).Select(k => x + k));
        request.Inputs.Add(input);
        try
        {
            var response = await client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddSeconds(60));
            var data = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray();
            return Check(i, x, data, "gRPC");
        }
        catch (global::Grpc.Core.RpcException e)
        {
            return $"gRPC {Name(i)}: {e.StatusCode} {e.Status.Detail}";
        }
    }

    private static string? Check(int i, float x, float[] data, string protocol)
    {
        var expected = Enumerable.Range(0, Width).Select(k => x + k + i).ToArray();
        return data.SequenceEqual(expected) ? null : $"{protocol} {Name(i)}: got [{string.Join(",", data)}], expected [{string.Join(",", expected)}]";
    }

    /// <summary>A seeded Zipf(s) sampler over 0..n-1 (rank 0 most popular).</summary>
    public static Func<int> Zipf(int n, double s, int seed)
    {
        var random = new Random(seed);
        var cumulative = new double[n];
        double total = 0;
        for (var k = 0; k < n; k++)
        {
            total += 1 / Math.Pow(k + 1, s);
            cumulative[k] = total;
        }

        return () =>
        {
            var u = random.NextDouble() * total;
            var index = Array.BinarySearch(cumulative, u);
            return Math.Min(n - 1, index >= 0 ? index : ~index);
        };
    }

    public static ByteString Raw(float[] values) => ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
}
