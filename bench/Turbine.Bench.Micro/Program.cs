// Micro-benchmarks of Turbine's per-request hot path (docs/benchmarks.md, P7: managed allocation per request).
// Usage: dotnet run -c Release --project bench/Turbine.Bench.Micro -- --filter '*' [--job short]
// The benchmarks carry [ShortRunJob] already, so the whole set runs in a few minutes.
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Turbine.Bench.Micro.InferPathBenchmarks).Assembly).Run(args);
