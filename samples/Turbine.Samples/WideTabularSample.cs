using System.Globalization;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Turbine.Samples;

/// <summary>
/// A 20-feature tabular model for explanation tests and benchmarks (KernelSHAP's sampled path starts above 11
/// features): a small MLP, score = sigmoid(w₂ · tanh(W₁ x + b₁) + b₂) with 8 hidden units and fixed seeded weights,
/// input FP32 [batch, 20] → score FP32 [batch, 1]. <see cref="Predict"/> computes the same function in C#.
/// </summary>
public sealed class WideTabularSample
{
    public const int Features = 20;
    public const int Hidden = 8;
    public const int MaxBatchSize = 1024;

    private readonly float[] _w1;
    private readonly float[] _b1;
    private readonly float[] _w2;
    private readonly float _b2;

    private WideTabularSample(int seed)
    {
        var random = new Random(seed);
        float Next(double scale) => (float)(((random.NextDouble() * 2) - 1) * scale);
        _w1 = Enumerable.Range(0, Features * Hidden).Select(_ => Next(0.6)).ToArray();
        _b1 = Enumerable.Range(0, Hidden).Select(_ => Next(0.3)).ToArray();
        _w2 = Enumerable.Range(0, Hidden).Select(_ => Next(1.5)).ToArray();
        _b2 = Next(0.3);
    }

    /// <summary>The model with weights drawn from <paramref name="seed"/>.</summary>
    public static WideTabularSample Create(int seed = 20) => new(seed);

    /// <summary>The model's score for one row of <see cref="Features"/> values (float arithmetic rounded as ONNX Runtime's is not: expect ~1e-6 differences).</summary>
    public double Predict(ReadOnlySpan<double> x)
    {
        double z = _b2;
        for (var h = 0; h < Hidden; h++)
        {
            double a = _b1[h];
            for (var j = 0; j < Features; j++)
            {
                a += x[j] * _w1[(j * Hidden) + h];
            }

            z += Math.Tanh(a) * _w2[h];
        }

        return 1 / (1 + Math.Exp(-z));
    }

    /// <summary>Writes <c>&lt;repository&gt;/&lt;name&gt;/config.pbtxt</c> and <c>1/model.onnx</c>.</summary>
    public void Write(string repository, string name = "wide20")
    {
        var graph = new OnnxGraphBuilder(name)
            .Input("input", DataType.Float, "batch", Features.ToString(CultureInfo.InvariantCulture))
            .Output("score", DataType.Float, "batch", "1");
        var hidden = graph.Node("Add", [graph.Node("MatMul", ["input", graph.Initializer("w1", _w1, Features, Hidden)], "h0"), graph.Initializer("b1", _b1, Hidden)], "h1");
        var activated = graph.Node("Tanh", [hidden], "h2");
        var logit = graph.Node("Add", [graph.Node("MatMul", [activated, graph.Initializer("w2", _w2, Hidden, 1)], "z0"), graph.Initializer("b2", [_b2], 1)], "z1");
        graph.Node("Sigmoid", [logit], "score");
        var folder = Path.Combine(repository, name);
        Directory.CreateDirectory(Path.Combine(folder, "1"));
        File.WriteAllBytes(Path.Combine(folder, "1", "model.onnx"), graph.ToBytes());
        File.WriteAllText(Path.Combine(folder, "config.pbtxt"), ModelConfigText.Write(name, MaxBatchSize,
            [new("input", "TYPE_FP32", [Features])], [new("score", "TYPE_FP32", [1])]));
    }
}
