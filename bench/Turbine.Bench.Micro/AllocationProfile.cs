using System.Diagnostics.Tracing;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Turbine.Bench.Micro;

/// <summary>
/// Where a benchmark's bytes go: runs one benchmark method in a loop in this process with the runtime's
/// AllocationTick events on (one event per ~100 KB allocated, naming the type of the object that crossed the mark) and
/// prints bytes per operation (<see cref="GC.GetTotalAllocatedBytes"/>) and the sampled share of each type.
/// Usage: <c>Turbine.Bench.Micro --alloc-profile InferPathBenchmarks.Grpc [iterations]</c>.
/// <see cref="SummarizeTrace"/> does the same for another process's trace (<c>dotnet-trace collect --profile gc-verbose</c>).
/// </summary>
public static class AllocationProfile
{
    /// <summary>Runs the profile; returns the process exit code.</summary>
    /// <param name="args">Class.Method and optionally the iteration count.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1 || args[0].Split('.') is not [var typeName, var methodName])
        {
            await Console.Error.WriteLineAsync("usage: --alloc-profile Class.Method [iterations]").ConfigureAwait(false);
            return 2;
        }

        var iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        var type = typeof(AllocationProfile).Assembly.GetTypes().FirstOrDefault(t => t.Name == typeName)
            ?? throw new ArgumentException($"no benchmark class {typeName}");
        var method = type.GetMethod(methodName) ?? throw new ArgumentException($"no method {methodName} on {typeName}");
        var instance = Activator.CreateInstance(type)!;
        type.GetMethods().FirstOrDefault(m => m.GetCustomAttribute<GlobalSetupAttribute>() is not null)?.Invoke(instance, null);
        try
        {
            for (var i = 0; i < Math.Min(20_000, iterations); i++)
            {
                await InvokeAsync(method, instance).ConfigureAwait(false);
            }

            using var listener = new AllocationListener();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < iterations; i++)
            {
                await InvokeAsync(method, instance).ConfigureAwait(false);
            }

            var perOp = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)iterations;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{typeName}.{methodName}: {perOp:0} B/op over {iterations} operations (listener included)"));
            var total = listener.Bytes.Values.Sum();
            foreach (var (name, bytes) in listener.Bytes.OrderByDescending(e => e.Value).Take(30))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes * 100.0 / total,6:0.0} %  {bytes * perOp / total,7:0} B/op  {name}"));
            }
        }
        finally
        {
            type.GetMethods().FirstOrDefault(m => m.GetCustomAttribute<GlobalCleanupAttribute>() is not null)?.Invoke(instance, null);
        }

        return 0;
    }

    /// <summary>
    /// Sampled allocation by type from an EventPipe trace of another process (the gateway, a server under load):
    /// <c>--alloc-trace FILE.nettrace [requests]</c>; with the request count it also prints bytes per request per type.
    /// </summary>
    /// <param name="args">The trace file and optionally the number of requests it covers.</param>
    public static int SummarizeTrace(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: --alloc-trace FILE.nettrace [requests]");
            return 2;
        }

        var requests = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 0;
        var bytes = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var source = new Microsoft.Diagnostics.Tracing.EventPipeEventSource(args[0]))
        {
            source.Clr.GCAllocationTick += e =>
            {
                var name = string.IsNullOrEmpty(e.TypeName) ? "?" : e.TypeName;
                bytes[name] = bytes.GetValueOrDefault(name) + e.AllocationAmount64;
            };
            source.Process();
        }

        var total = bytes.Values.Sum();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total} bytes sampled{(requests > 0 ? $", {total / (double)requests:0} B/request" : "")}"));
        foreach (var (name, amount) in bytes.OrderByDescending(e => e.Value).Take(40))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{amount * 100.0 / total,6:0.0} %  {(requests > 0 ? (amount / (double)requests).ToString("0", CultureInfo.InvariantCulture) + " B/req" : ""),10}  {name}"));
        }

        return 0;
    }

    private static async Task InvokeAsync(MethodInfo method, object instance)
    {
        switch (method.Invoke(instance, null))
        {
            case Task task:
                await task.ConfigureAwait(false);
                break;
            case ValueTask valueTask:
                await valueTask.ConfigureAwait(false);
                break;
        }
    }

    private sealed class AllocationListener : EventListener
    {
        public Dictionary<string, long> Bytes { get; } = new(StringComparer.Ordinal);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName is not "GCAllocationTick_V4" and not "GCAllocationTick_V3" and not "GCAllocationTick_V2" || e.PayloadNames is null)
            {
                return;
            }

            var name = e.Payload![e.PayloadNames.IndexOf("TypeName")] as string ?? "?";
            var amountIndex = e.PayloadNames.IndexOf("AllocationAmount64");
            var amount = amountIndex >= 0 ? Convert.ToInt64(e.Payload[amountIndex], CultureInfo.InvariantCulture) : 100_000;
            lock (Bytes)
            {
                Bytes[name] = Bytes.GetValueOrDefault(name) + amount;
            }
        }
    }

    /// <summary>Prints the fields of every async state machine nested in a type (hoisted locals, awaiters, builder).</summary>
    /// <param name="args">The type's full name, in Turbine.Gateway.</param>
    public static int StateMachineFields(string[] args)
    {
        var type = args.Length == 1
            ? new[] { typeof(Turbine.Gateway.GatewayHost).Assembly }.Select(a => a.GetType(args[0])).FirstOrDefault(t => t is not null)
            : null;
        if (type is null)
        {
            Console.Error.WriteLine("usage: --state-machines Namespace.Type (a type of Turbine.Gateway)");
            return 2;
        }

        foreach (var machine in type.GetNestedTypes(BindingFlags.NonPublic).Where(t => t.GetInterface(nameof(System.Runtime.CompilerServices.IAsyncStateMachine)) is not null))
        {
            var fields = machine.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{machine.Name}: {fields.Length} fields"));
            foreach (var field in fields)
            {
                Console.WriteLine($"  {field.FieldType.Name,-50} {field.Name}");
            }
        }

        return 0;
    }
}
