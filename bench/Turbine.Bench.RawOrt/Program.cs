// Reference 1 of PERFORMANCE.md: raw ONNX Runtime in-process. InferenceSession.Run(RunOptions, names, OrtValue[],
// outputNames) — the overload Turbine's OnnxModelInstance calls — on pre-allocated input OrtValues, in a closed loop,
// with the session options Turbine gives a single CPU instance (intra-op = cores / instances, inter-op 1,
// sequential, graph level ALL, ORT spinning off unless ALLOW_SPINNING=1). Usage: Turbine.Bench.RawOrt MODEL_REPOSITORY [ITERATIONS] [INSTANCES]
// or Turbine.Bench.RawOrt model MODEL.onnx BATCH[,BATCH...] [SECONDS] [INTRA_OP] [SEQUENCE] (see ModelCase.cs).
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Turbine.Bench.RawOrt;

if (args.Length > 0 && args[0] == "model")
{
    return ModelCase.Run(args);
}

if (args.Length is < 1 or > 3)
{
    await Console.Error.WriteLineAsync("usage: Turbine.Bench.RawOrt MODEL_REPOSITORY [ITERATIONS=50000] [INSTANCES=1]");
    return 2;
}

var repository = args[0];
var iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50_000;
var instances = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
var intraOp = Math.Max(1, Environment.ProcessorCount / Math.Max(1, instances)); // as ModelManager does

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"raw ORT {OrtEnv.Instance().GetVersionString()}: intra_op={intraOp} inter_op=1 sequential graph=ALL allow_spinning={Spinning.Value}, {iterations} iterations after {RawOrtCase.WarmUp} warm-up"));
Console.WriteLine("case                      p50_us   p90_us   p99_us  mean_us      runs/s  alloc_B/run");

RawOrtCase[] cases =
[
    RawOrtCase.Int32Pair(Path.Combine(repository, "simple", "1", "model.onnx"), "simple [1,16]", 16),
    RawOrtCase.Fp32Identity(Path.Combine(repository, "identity_fp32", "1", "model.onnx"), "identity_fp32 [1,16]", 16),
    RawOrtCase.Fp32Identity(Path.Combine(repository, "identity_fp32", "1", "model.onnx"), "identity_fp32 [1,4096]", 4096),
];

foreach (var c in cases)
{
    using (c)
    {
        c.Measure(intraOp, iterations).Print();
    }
}

return 0;

namespace Turbine.Bench.RawOrt
{
    internal sealed record RawOrtResult(string Name, double P50Us, double P90Us, double P99Us, double MeanUs, double RunsPerSecond, double AllocatedPerRun)
    {
        public void Print() => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Name,-24} {P50Us,8:F1} {P90Us,8:F1} {P99Us,8:F1} {MeanUs,8:F1} {RunsPerSecond,11:F0} {AllocatedPerRun,12:F0}"));
    }

    internal sealed class RawOrtCase : IDisposable
    {
        public const int WarmUp = 2_000;

        private readonly string _modelPath;
        private readonly string[] _inputNames;
        private readonly OrtValue[] _inputs;
        private readonly string[] _outputNames;

        private RawOrtCase(string name, string modelPath, string[] inputNames, OrtValue[] inputs, string[] outputNames)
        {
            Name = name;
            _modelPath = modelPath;
            _inputNames = inputNames;
            _inputs = inputs;
            _outputNames = outputNames;
        }

        public string Name { get; }

        public static RawOrtCase Int32Pair(string modelPath, string name, int width)
        {
            var a = Enumerable.Range(0, width).ToArray();
            var b = Enumerable.Repeat(1, width).ToArray();
            long[] shape = [1, width];
            return new RawOrtCase(name, modelPath, ["INPUT0", "INPUT1"],
                [OrtValue.CreateTensorValueFromMemory(a, shape), OrtValue.CreateTensorValueFromMemory(b, shape)],
                ["OUTPUT0", "OUTPUT1"]);
        }

        public static RawOrtCase Fp32Identity(string modelPath, string name, int width)
        {
            var a = Enumerable.Range(0, width).Select(i => (float)i).ToArray();
            return new RawOrtCase(name, modelPath, ["INPUT0"], [OrtValue.CreateTensorValueFromMemory(a, [1, width])], ["OUTPUT0"]);
        }

        public RawOrtResult Measure(int intraOp, int iterations)
        {
            using var options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                IntraOpNumThreads = intraOp,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            };
            Spinning.Apply(options);
            using var session = new InferenceSession(_modelPath, options);
            using var runOptions = new RunOptions();

            for (var i = 0; i < WarmUp; i++)
            {
                RunOnce(session, runOptions);
            }

            var ticks = new long[iterations];
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < iterations; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                RunOnce(session, runOptions);
                ticks[i] = Stopwatch.GetTimestamp() - t0;
            }

            var elapsed = Stopwatch.GetElapsedTime(start);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            Array.Sort(ticks);
            double Us(long t) => t * 1e6 / Stopwatch.Frequency;
            double Percentile(double p) => Us(ticks[Math.Min(ticks.Length - 1, (int)Math.Ceiling(p * ticks.Length) - 1)]);
            return new RawOrtResult(Name, Percentile(0.50), Percentile(0.90), Percentile(0.99),
                elapsed.TotalMicroseconds / iterations, iterations / elapsed.TotalSeconds, (double)allocated / iterations);
        }

        public void Dispose()
        {
            foreach (var value in _inputs)
            {
                value.Dispose();
            }
        }

        private void RunOnce(InferenceSession session, RunOptions runOptions)
        {
            using var results = session.Run(runOptions, _inputNames, _inputs, _outputNames);
        }
    }
}
