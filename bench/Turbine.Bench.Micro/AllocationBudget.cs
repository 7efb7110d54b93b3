using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Reports;

namespace Turbine.Bench.Micro;

/// <summary>
/// The most managed bytes one operation of the benchmark may allocate ([MemoryDiagnoser]'s "Allocated" column). A run
/// that measures more fails (exit code 1), so an allocation regression on the hot path shows up as a red benchmark run.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AllocationBudgetAttribute(int bytes) : Attribute
{
    /// <summary>The budget, in bytes per operation.</summary>
    public int Bytes { get; } = bytes;
}

/// <summary>Checks every benchmark that has an <see cref="AllocationBudgetAttribute"/> against what it measured.</summary>
public static class AllocationBudgets
{
    /// <summary>Prints one line per budgeted benchmark; returns 1 when any is over its budget, else 0.</summary>
    /// <param name="summaries">The summaries BenchmarkDotNet returned.</param>
    /// <param name="output">Where the lines go.</param>
    public static int Check(IEnumerable<Summary> summaries, TextWriter output)
    {
        var over = 0;
        var checkedCount = 0;
        // A method may have several reports (one per job); the measured ones count,
        // and a budgeted method that no job measured fails.
        var byMethod = summaries.SelectMany(s => s.Reports)
            .Where(r => r.BenchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<AllocationBudgetAttribute>() is not null)
            .GroupBy(r => r.BenchmarkCase.Descriptor.WorkloadMethod);
        foreach (var reports in byMethod)
        {
            var method = reports.Key;
            var budget = method.GetCustomAttribute<AllocationBudgetAttribute>()!;
            checkedCount++;
            var name = $"{method.DeclaringType?.Name}.{method.Name}";
            var measured = reports.Where(r => r.Success)
                .Select(r => r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase))
                .Where(b => b is not null)
                .Select(b => b!.Value)
                .DefaultIfEmpty(-1)
                .Max();
            if (measured < 0)
            {
                over++;
                output.WriteLine($"allocation budget {name}: not measured (the benchmark failed or ran without [MemoryDiagnoser])");
                continue;
            }

            var ok = measured <= budget.Bytes;
            over += ok ? 0 : 1;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"allocation budget {name}: {measured} B/op, budget {budget.Bytes} B/op: {(ok ? "ok" : "OVER BUDGET")}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocation budgets: {checkedCount} checked, {over} over"));
        return over == 0 ? 0 : 1;
    }
}
