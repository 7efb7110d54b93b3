using System.Globalization;
using System.Text;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Turbine.Samples;

/// <summary>The ONNX graphs and Triton configurations of the sample models.</summary>
internal static class SampleModels
{
    public const string ModelFile = "1/model.onnx";
    public const string ConfigFile = "config.pbtxt";
    public const string IrisLabelsFile = "labels.txt";

    public const int SimpleMaxBatchSize = 8;
    public const int SimpleSize = 16;
    public const int IrisMaxBatchSize = 64;

    public static IReadOnlyList<SampleModel> All { get; } =
    [
        new("simple", () => Simple("simple", DataType.Int32, "TYPE_INT32")),
        new("simple_int8", () => Simple("simple_int8", DataType.Int8, "TYPE_INT8")),
        new("simple_string", () => Simple("simple_string", DataType.String, "TYPE_STRING")),
        new("simple_identity", SimpleIdentity),
        new("identity_fp32", IdentityFp32),
        new("iris", () => Iris(IrisModel.Train(IrisDataSet.Load()))),
        new("accumulator", Accumulator),
    ];

    public const int AccumulatorMaxBatchSize = 8;

    /// <summary>
    /// OUTPUT0 = INPUT0 + INPUT1 and OUTPUT1 = INPUT0 - INPUT1 on [batch, 16]. ONNX Runtime's CPU Add/Sub handle
    /// int32 and int8 directly (opset 14+; int8 wraps like C++ int8 arithmetic). Add has no string kernel, so
    /// STRING (decimal text) inputs are cast to INT32, added/subtracted and cast back to text.
    /// </summary>
    private static Dictionary<string, byte[]> Simple(string name, DataType type, string tritonType)
    {
        var graph = new OnnxGraphBuilder(name);
        var isText = type == DataType.String;
        string a = "INPUT0", b = "INPUT1";
        if (isText)
        {
            a = graph.Cast("INPUT0", "input0_int32", DataType.Int32);
            b = graph.Cast("INPUT1", "input1_int32", DataType.Int32);
        }

        var sum = graph.Node("Add", [a, b], isText ? "sum_int32" : "OUTPUT0");
        var difference = graph.Node("Sub", [a, b], isText ? "difference_int32" : "OUTPUT1");
        if (isText)
        {
            graph.Cast(sum, "OUTPUT0", type);
            graph.Cast(difference, "OUTPUT1", type);
        }

        var size = Dim(SimpleSize);
        foreach (var input in new[] { "INPUT0", "INPUT1" })
        {
            graph.Input(input, type, "batch", size);
        }

        foreach (var output in new[] { "OUTPUT0", "OUTPUT1" })
        {
            graph.Output(output, type, "batch", size);
        }

        ConfigTensor[] inputs = [new("INPUT0", tritonType, [SimpleSize]), new("INPUT1", tritonType, [SimpleSize])];
        ConfigTensor[] outputs = [new("OUTPUT0", tritonType, [SimpleSize]), new("OUTPUT1", tritonType, [SimpleSize])];
        return Files(graph, ModelConfigText.Write(name, SimpleMaxBatchSize, inputs, outputs));
    }

    /// <summary>BYTES identity on [batch, n].</summary>
    private static Dictionary<string, byte[]> SimpleIdentity()
    {
        var graph = Identity("simple_identity", DataType.String);
        return Files(graph, ModelConfigText.Write(
            "simple_identity", SimpleMaxBatchSize, [new("INPUT0", "TYPE_STRING", [-1])], [new("OUTPUT0", "TYPE_STRING", [-1])]));
    }

    /// <summary>FP32 identity on [batch, n] without config.pbtxt: the server must auto-complete the config.</summary>
    private static Dictionary<string, byte[]> IdentityFp32() => Files(Identity("identity_fp32", DataType.Float), config: null);

    private static OnnxGraphBuilder Identity(string name, DataType type)
    {
        var graph = new OnnxGraphBuilder(name)
            .Input("INPUT0", type, "batch", "n")
            .Output("OUTPUT0", type, "batch", "n");
        graph.Node("Identity", ["INPUT0"], "OUTPUT0");
        return graph;
    }

    /// <summary>input [batch, 4] → Sub(mean) → Div(std) → MatMul(W) → Add(b) → Softmax → probabilities [batch, 3].</summary>
    private static Dictionary<string, byte[]> Iris(IrisModel model)
    {
        int d = model.FeatureCount, c = model.ClassCount;
        var graph = new OnnxGraphBuilder("iris")
            .Input("input", DataType.Float, "batch", Dim(d))
            .Output("probabilities", DataType.Float, "batch", Dim(c));
        var centered = graph.Node("Sub", ["input", graph.Initializer("mean", model.Mean, d)], "centered");
        var scaled = graph.Node("Div", [centered, graph.Initializer("std", model.Std, d)], "standardized");
        var product = graph.Node("MatMul", [scaled, graph.Initializer("weights", model.Weights, d, c)], "product");
        var logits = graph.Node("Add", [product, graph.Initializer("bias", model.Bias, c)], "logits");
        graph.Node("Softmax", [logits], "probabilities", OnnxGraphBuilder.IntAttribute("axis", -1));

        var files = Files(graph, ModelConfigText.Write(
            "iris", IrisMaxBatchSize, [new("input", "TYPE_FP32", [d])], [new("probabilities", "TYPE_FP32", [c], IrisLabelsFile)]));
        files[IrisLabelsFile] = Encoding.UTF8.GetBytes(string.Concat(model.ClassNames.Select(label => label + "\n")));
        return files;
    }

    /// <summary>
    /// A stateful running sum for the sequence batcher: OUTPUT = STATE_IN + INPUT, or INPUT when the control input
    /// START is 1 (Cast(START → bool) → Where); STATE_OUT = OUTPUT. All INT32 [batch, 1]. START, STATE_IN and
    /// STATE_OUT are supplied and kept by the server (sequence_batching), not by clients.
    /// </summary>
    private static Dictionary<string, byte[]> Accumulator()
    {
        var graph = new OnnxGraphBuilder("accumulator");
        foreach (var input in new[] { "INPUT", "STATE_IN", "START" })
        {
            graph.Input(input, DataType.Int32, "batch", "1");
        }

        graph.Output("OUTPUT", DataType.Int32, "batch", "1").Output("STATE_OUT", DataType.Int32, "batch", "1");
        var starting = graph.Cast("START", "starting", DataType.Bool);
        var sum = graph.Node("Add", ["STATE_IN", "INPUT"], "sum");
        graph.Node("Where", [starting, "INPUT", sum], "OUTPUT");
        graph.Node("Identity", ["OUTPUT"], "STATE_OUT");

        var config = ModelConfigText.Write(
            "accumulator", AccumulatorMaxBatchSize, [new("INPUT", "TYPE_INT32", [1])], [new("OUTPUT", "TYPE_INT32", [1])]) + """
            sequence_batching {
              max_sequence_idle_microseconds: 5000000
              control_input [
                {
                  name: "START"
                  control [ { kind: CONTROL_SEQUENCE_START int32_false_true: [ 0, 1 ] } ]
                }
              ]
              state [
                {
                  input_name: "STATE_IN"
                  output_name: "STATE_OUT"
                  data_type: TYPE_INT32
                  dims: [ 1 ]
                  initial_state: { data_type: TYPE_INT32 dims: [ 1 ] zero_data: true name: "zero" }
                }
              ]
              oldest { max_candidate_sequences: 8 }
            }

            """;
        return Files(graph, config);
    }

    private static string Dim(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, byte[]> Files(OnnxGraphBuilder graph, string? config)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [ModelFile] = graph.ToBytes() };
        if (config is not null)
        {
            files[ConfigFile] = Encoding.UTF8.GetBytes(config);
        }

        return files;
    }
}
