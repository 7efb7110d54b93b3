using System.CommandLine;

namespace Turbine.Cli.Commands;

internal static partial class BatchCommand
{
    /// <summary>
    /// The scoring options <c>batch run</c> and <c>batch submit</c> share (one definition, so a flag or default cannot
    /// drift between the local run and the control plane's job); only what the paths are relative to differs.
    /// </summary>
    private sealed class ScoringOptions
    {
        public ScoringOptions(string inputDescription, string outputDescription, string protocolDescription)
        {
            Input = new Option<string>("--input", "-i") { Description = inputDescription, Required = true };
            Output = new Option<string>("--output", "-o") { Description = outputDescription, Required = true };
            Protocol = new Option<string>("--protocol") { Description = protocolDescription, DefaultValueFactory = _ => "http" };
            Protocol.AcceptOnlyFromAmong("http", "grpc");
            Format.AcceptOnlyFromAmong("text", "json");
        }

        public Option<string> Input { get; }

        public Option<string> Output { get; }

        public Option<string> Protocol { get; }

        public Option<string?> Version { get; } = new("--model-version") { Description = "Model version (default: the newest ready)." };

        public Option<string?> InputFormat { get; } = new("--input-format") { Description = "Input format when the extension does not say: csv, jsonl, parquet." };

        public Option<string?> OutputFileFormat { get; } = new("--output-file-format") { Description = "Output format when the extension does not say: csv, jsonl, parquet." };

        public Option<string?> Errors { get; } = new("--errors") { Description = "Errors file, JSON Lines {row, error} (default OUTPUT.errors.jsonl)." };

        public Option<string[]> Keep { get; } = new("--keep-columns") { Description = "Input columns copied to the output (comma-separated, repeatable).", AllowMultipleArgumentsPerToken = true };

        public Option<string?> Id { get; } = new("--id-column") { Description = "An id column copied to the output (when --keep-columns is not given; default: a 'row' column with the row number)." };

        public Option<string[]> Map { get; } = new("--map") { Description = "INPUT=COL[,COL...]: columns concatenated into a model input (repeatable; default: the column named like the input)." };

        public Option<string[]> OutputColumns { get; } = new("--output-column") { Description = "OUTPUT[=COLUMN]: outputs to write and their column names (repeatable; default: every output under its name)." };

        public Option<int> Classification { get; } = new("--classification") { Description = "Write the top-k classes ('score:index:label') instead of the raw output." };

        public Option<int> PartRows { get; } = new("--part-rows") { Description = "Rows per part for CSV and JSON Lines (Parquet: one part per row group).", DefaultValueFactory = _ => 10_000 };

        public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Rows per request (default: the model's max_batch_size)." };

        public Option<int> Concurrency { get; } = new("--concurrency") { Description = "Requests in flight (default: 2 × the model's instances)." };

        public Option<long> MaxErrors { get; } = new("--max-errors") { Description = "Stop once more rows than this have failed (default: no limit).", DefaultValueFactory = _ => -1 };

        public Option<int> Retries { get; } = new("--part-retries") { Description = "Retries of a part whose requests fail as a whole.", DefaultValueFactory = _ => 3 };

        public Option<bool> Resume { get; } = new("--resume") { Description = "Continue an earlier run of this job: committed parts are skipped." };

        public Option<bool> Overwrite { get; } = new("--overwrite") { Description = "Start over, discarding an earlier run's manifest." };

        public Option<string> Format { get; } = new("--output-format") { Description = "Summary format: text or json.", DefaultValueFactory = _ => "text" };

        /// <summary>Adds every shared option to <paramref name="command"/>.</summary>
        public void AddTo(Command command)
        {
            foreach (Option option in (ReadOnlySpan<Option>)[Protocol, Version, Input, Output, InputFormat, OutputFileFormat, Errors, Keep, Id, Map,
                OutputColumns, Classification, PartRows, BatchSize, Concurrency, MaxErrors, Retries, Resume, Overwrite, Format])
            {
                command.Options.Add(option);
            }
        }
    }
}
