using System.Globalization;
using Spectre.Console;
using Turbine.Batch.Jobs;

namespace Turbine.Cli.Commands;

/// <summary>
/// Progress of <c>turbine batch run</c> on stderr (stdout carries the summary): a Spectre.Console bar with rows/s and
/// the remaining time on a terminal, a log line every 5 s otherwise.
/// </summary>
internal static class BatchProgressView
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);

    public static async Task<BatchSummary> RunAsync(string mode, Func<IProgress<BatchProgress>?, Task<BatchSummary>> run)
    {
        var terminal = !Console.IsErrorRedirected;
        if (mode == "none")
        {
            return await run(null).ConfigureAwait(false);
        }

        if (mode == "bar" || (mode == "auto" && terminal))
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            BatchSummary? summary = null;
            await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("batch", maxValue: 1);
                    task.IsIndeterminate = true;
                    summary = await run(new Reporter(p =>
                    {
                        var rate = p.Elapsed.TotalSeconds > 0 ? p.RowsDone / p.Elapsed.TotalSeconds : 0;
                        task.Description = string.Create(CultureInfo.InvariantCulture, $"{p.RowsDone:N0} rows, {rate:N0} rows/s, {p.RowsFailed:N0} failed");
                        if (p.RowsTotal is { } total && total > 0)
                        {
                            task.IsIndeterminate = false;
                            task.MaxValue = total;
                            task.Value = p.RowsDone;
                        }
                    })).ConfigureAwait(false);
                    task.StopTask();
                }).ConfigureAwait(false);
            return summary!;
        }

        var last = TimeSpan.Zero;
        return await run(new Reporter(p =>
        {
            if (p.Elapsed - last < LogInterval)
            {
                return;
            }

            last = p.Elapsed;
            var rate = p.Elapsed.TotalSeconds > 0 ? p.RowsDone / p.Elapsed.TotalSeconds : 0;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"batch: {p.RowsDone} rows{(p.RowsTotal is { } t ? $" of {t}" : "")} in {p.PartsDone} parts, {rate:0} rows/s, {p.RowsFailed} failed, {p.Elapsed.TotalSeconds:0} s"));
        })).ConfigureAwait(false);
    }

    /// <summary>Calls back synchronously on the reporting thread (Progress&lt;T&gt; would post to the thread pool out of order).</summary>
    private sealed class Reporter(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }
}
