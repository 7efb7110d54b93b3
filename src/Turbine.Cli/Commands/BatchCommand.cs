using System.CommandLine;
using System.Text.Json;
using Turbine.Batch;
using Turbine.Batch.Jobs;
using Turbine.Batch.Mapping;
using Turbine.Batch.Scoring;
using Turbine.Batch.Storage;
using Turbine.Batch.Tables;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine batch run</c>: scores a CSV / JSON Lines / Parquet file (local or s3://) with a model, in-process or
/// against a server, in resumable, shardable parts; <c>turbine batch merge</c> assembles a sharded job's output.
/// docs/batch.md.
/// </summary>
internal static partial class BatchCommand
{
    /// <summary>Kubernetes' indexed-Job variable: the default <c>--shard-index</c>.</summary>
    public const string ShardIndexVariable = "JOB_COMPLETION_INDEX";

    /// <summary>The default <c>--shard-count</c> (the Helm chart sets it to the Job's completions).</summary>
    public const string ShardCountVariable = "TURBINE_BATCH_SHARD_COUNT";

    public const int StoppedExitCode = 130;

    public static Command Create()
    {
        var command = new Command("batch", "Score whole files with a model: resumable, sharded batch inference.");
        command.Subcommands.Add(CreateRun());
        command.Subcommands.Add(CreateMerge());
        command.Subcommands.Add(CreateSubmit());
        command.Subcommands.Add(CreateStatus());
        command.Subcommands.Add(CreateCancel());
        return command;
    }

    private static Command CreateMerge()
    {
        var output = new Option<string>("--output", "-o") { Description = "The job's output (local path or s3://bucket/key), as given to 'batch run'.", Required = true };
        var errors = new Option<string?>("--errors") { Description = "Errors file (default OUTPUT.errors.jsonl)." };
        var format = new Option<string?>("--output-file-format") { Description = "Output format: csv, jsonl, parquet (default: from the extension)." };
        var command = new Command("merge", "Assemble the output of a sharded job once every shard has finished.") { output, errors, format };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(output)!;
            try
            {
                using var stores = new BatchStores();
                var store = stores.For(path);
                var rows = await BatchAssembler.AssembleAsync(store, path, parse.GetValue(errors) ?? path + ".errors.jsonl",
                    TableFormats.Resolve(parse.GetValue(format), path), ct).ConfigureAwait(false);
                await Console.Out.WriteLineAsync($"merged {rows} rows into {path}").ConfigureAwait(false);
                return 0;
            }
            catch (Exception e) when (e is BatchJobException or ArgumentException or IOException or Amazon.Runtime.AmazonServiceException)
            {
                await Console.Error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    /// <summary>The stores a job touches: the local file system, and S3 (made on first use).</summary>
    internal sealed class BatchStores : IDisposable
    {
        private readonly LocalBatchStore _local = new();
        private S3BatchStore? _s3;

        public IBatchStore For(string path) => S3Location.IsS3(path) ? _s3 ??= new S3BatchStore() : _local;

        public void Dispose() => _s3?.Dispose();
    }

    internal static Dictionary<string, IReadOnlyList<string>> ParseMap(IEnumerable<string> specs) => BatchOptionText.ParseMap(specs);

    internal static List<KeyValuePair<string, string>> ParseOutputColumns(IEnumerable<string> specs) => BatchOptionText.ParseOutputColumns(specs);

    internal static void WriteSummary(BatchSummary summary, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(summary, BatchSummaryJson));
            return;
        }

        Console.Out.WriteLine(
            $"{summary.Status}: {summary.RowsRead} rows ({summary.RowsScored} scored, {summary.RowsFailed} failed) in {summary.PartsCommitted} parts"
            + $" ({summary.PartsSkipped} already committed), {summary.Requests} requests, {summary.Seconds:0.###} s, {summary.RowsPerSecond:0.#} rows/s");
        if (summary.Assembled)
        {
            Console.Out.WriteLine($"output: {summary.Output}  errors: {summary.Errors}");
        }

        if (summary.Message is { } message)
        {
            Console.Out.WriteLine(message);
        }
    }

    private static readonly JsonSerializerOptions BatchSummaryJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    internal static bool IsSchemaError(Exception e) => e is BatchSchemaException;
}
