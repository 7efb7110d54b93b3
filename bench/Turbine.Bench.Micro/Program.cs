// Micro-benchmarks of Turbine's per-request hot path (docs/benchmarks.md, P7: managed allocation per request).
// Usage: dotnet bench/Turbine.Bench.Micro/bin/Release/net10.0/linux-x64/Turbine.Bench.Micro.dll --filter '*' [--inProcess]
// Every benchmark runs BenchmarkDotNet's short job (3 warm-up and 3 measured iterations), so the whole set takes a
// few minutes; --inProcess runs it in this process (no generated project to build: use it on a loaded machine, where
// that build can pass BenchmarkDotNet's 2-minute build timeout). Benchmarks with an [AllocationBudget] fail the run
// (exit code 1) when they allocate more per operation than their budget.
// --alloc-profile Class.Method [iterations]: where one benchmark's bytes go (sampled by type), in this process.
// --alloc-trace FILE.nettrace [requests]: the same from another process's trace (dotnet-trace --profile gc-verbose).
// --cpu-trace FILE.nettrace [requests] [filter]: where another process's running threads were (dotnet-trace
//   --profile dotnet-sampled-thread-time; waiting samples dropped), exclusive and inclusive, µs per request.
// --state-machines Namespace.Type: the fields of each async method's state machine in that type (what its box holds).
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Turbine.Bench.Micro;

if (args.Length > 0 && args[0] == "--alloc-profile")
{
    return await AllocationProfile.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "--alloc-trace")
{
    return AllocationProfile.SummarizeTrace(args[1..]);
}

if (args.Length > 0 && args[0] == "--cpu-trace")
{
    return CpuTrace.Summarize(args[1..]);
}

if (args.Length > 0 && args[0] == "--state-machines")
{
    // The fields (hoisted locals and awaiters) of the async state machines of one assembly's type: what each box holds.
    return AllocationProfile.StateMachineFields(args[1..]);
}

var inProcess = args.Contains("--inProcess");
var job = inProcess ? Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance) : Job.ShortRun;
var config = DefaultConfig.Instance.AddJob(job.AsDefault());
var summaries = BenchmarkSwitcher.FromAssembly(typeof(InferPathBenchmarks).Assembly).Run([.. args.Where(a => a != "--inProcess")], config);
return AllocationBudgets.Check(summaries, Console.Out);
