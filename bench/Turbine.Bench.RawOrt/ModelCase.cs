using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Turbine.Bench.RawOrt;

/// <summary>
/// <c>Turbine.Bench.RawOrt model MODEL.onnx BATCH[,BATCH...] [SECONDS=5] [INTRA_OP=cores/INSTANCES] [SEQUENCE=16] [INSTANCES=1]</c>: raw ORT on any
/// model (ResNet-18, MiniLM, the bench MLP) at the given batch sizes. A leading variable dim is the batch, other
/// variable dims are SEQUENCE; a fixed leading dim (ResNet-18's 1) stays as it is and BATCH must be 1. INT64 inputs
/// named like a mask are 1, like token types 0, others token ids (as bench/.models/data/minilm.json); FP32 inputs are
/// seeded uniform [0,1); INT32 inputs (the sample `simple`) count 0–15. Same session options as Turbine gives one CPU instance; with INSTANCES N, N sessions (intra-op cores / N unless INTRA_OP says, "-" for the default) run in parallel threads, as an instance_group of count N. Each batch size runs for SECONDS
/// after a warm-up of a tenth of that; reports Run p50/p99 and items/s (batch × runs/s).
/// </summary>
internal static class ModelCase
{
    public static int Run(string[] args)
    {
        if (args.Length is < 3 or > 7)
        {
            Console.Error.WriteLine("usage: Turbine.Bench.RawOrt model MODEL.onnx BATCH[,BATCH...] [SECONDS=5] [INTRA_OP=cores/INSTANCES] [SEQUENCE=16] [INSTANCES=1]");
            return 2;
        }

        var path = args[1];
        var batches = args[2].Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
        var seconds = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 5;
        var instances = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 1;
        var intraOp = args.Length > 4 && args[4] != "-" ? int.Parse(args[4], CultureInfo.InvariantCulture) : Math.Max(1, Environment.ProcessorCount / instances);
        var sequence = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 16;

        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = intraOp,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        Spinning.Apply(options);
        // One session per instance, as Turbine's instance_group count N gives N sessions of cores / N intra-op threads.
        var sessions = Enumerable.Range(0, instances).Select(_ => new InferenceSession(path, options)).ToArray();
        try
        {
            var inputNames = sessions[0].InputMetadata.Keys.ToArray();
            var outputNames = sessions[0].OutputMetadata.Keys.ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"raw ORT {OrtEnv.Instance().GetVersionString()} {Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path)))}: {instances} instance(s) in parallel, intra_op={intraOp} inter_op=1 sequential graph=ALL allow_spinning={Spinning.Value}, sequence {sequence}, {seconds}s per batch"));
            Console.WriteLine("batch    p50_us    p99_us      runs/s     items/s");
            var random = new Random(1);
            foreach (var batch in batches)
            {
                var inputs = sessions.Select(_ => inputNames.Select(n => Create(n, sessions[0].InputMetadata[n], batch, sequence, random)).ToArray()).ToArray();
                try
                {
                    // Every instance loops on its own thread from the same start to the same stop.
                    var start = Stopwatch.GetTimestamp() + (long)(seconds / 10 * Stopwatch.Frequency);
                    var stop = start + (long)(seconds * Stopwatch.Frequency);
                    var results = new (List<long> Ticks, long End)[instances];
                    var threads = Enumerable.Range(0, instances).Select(i => new Thread(() =>
                    {
                        using var runOptions = new RunOptions();
                        results[i] = Loop(sessions[i], runOptions, inputNames, inputs[i], outputNames, start, stop);
                    })).ToArray();
                    foreach (var thread in threads)
                    {
                        thread.Start();
                    }

                    foreach (var thread in threads)
                    {
                        thread.Join();
                    }

                    var ticks = results.SelectMany(r => r.Ticks).Order().ToList();
                    var elapsed = (results.Max(r => r.End) - start) / (double)Stopwatch.Frequency;
                    double Us(double p) => ticks[Math.Min(ticks.Count - 1, (int)Math.Ceiling(p * ticks.Count) - 1)] * 1e6 / Stopwatch.Frequency;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{batch,5} {Us(0.5),9:F1} {Us(0.99),9:F1} {ticks.Count / elapsed,11:F1} {batch * ticks.Count / elapsed,11:F1}"));
                }
                finally
                {
                    foreach (var input in inputs.SelectMany(i => i))
                    {
                        input.Dispose();
                    }
                }
            }
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }

        return 0;
    }

    /// <summary>Warm-up runs until <paramref name="start"/>, then timed runs until <paramref name="stop"/>.</summary>
    private static (List<long> Ticks, long End) Loop(InferenceSession session, RunOptions runOptions, string[] inputNames, OrtValue[] inputs,
        string[] outputNames, long start, long stop)
    {
        while (Stopwatch.GetTimestamp() < start)
        {
            using var warm = session.Run(runOptions, inputNames, inputs, outputNames);
        }

        var ticks = new List<long>(1 << 16);
        long t1;
        do
        {
            var t0 = Stopwatch.GetTimestamp();
            using (session.Run(runOptions, inputNames, inputs, outputNames))
            {
            }

            t1 = Stopwatch.GetTimestamp();
            ticks.Add(t1 - t0);
        }
        while (t1 < stop);

        return (ticks, t1);
    }

    private static OrtValue Create(string name, NodeMetadata metadata, int batch, int sequence, Random random)
    {
        var dims = metadata.Dimensions.Select((d, i) => d >= 0 ? d : i == 0 ? batch : sequence).Select(d => (long)d).ToArray();
        if (metadata.Dimensions[0] >= 0 && batch != 1)
        {
            throw new ArgumentException($"{name} has a fixed leading dim {metadata.Dimensions[0]}; only batch 1 is possible");
        }

        var count = (int)dims.Aggregate(1L, (a, d) => a * d);
        switch (metadata.ElementDataType)
        {
            case TensorElementType.Float:
                return OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(_ => (float)random.NextDouble()).ToArray(), dims);
            case TensorElementType.Int64:
                var width = dims[^1];
                long Value(int i)
                {
                    var position = i % width;
                    return name.Contains("mask", StringComparison.OrdinalIgnoreCase) ? 1
                        : name.Contains("type", StringComparison.OrdinalIgnoreCase) ? 0
                        : position == 0 ? 101 : position == width - 1 ? 102 : 1000 + (position * 37);
                }

                return OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(Value).ToArray(), dims);
            case TensorElementType.Int32:
                return OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, count).Select(i => i % 16).ToArray(), dims);
            default:
                throw new NotSupportedException($"{name}: {metadata.ElementDataType}");
        }
    }
}

/// <summary>
/// ORT thread-pool spinning as Turbine sets it: off (<c>session.intra_op.allow_spinning</c> and
/// <c>session.inter_op.allow_spinning</c> "0") unless the environment variable ALLOW_SPINNING says "1".
/// </summary>
internal static class Spinning
{
    public static string Value => Environment.GetEnvironmentVariable("ALLOW_SPINNING") == "1" ? "1" : "0";

    public static void Apply(SessionOptions options)
    {
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", Value);
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", Value);
    }
}
