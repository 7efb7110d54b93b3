using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Turbine.Batch.Mapping;
using Turbine.Batch.Scoring;
using Turbine.Batch.Storage;
using Turbine.Batch.Tables;

namespace Turbine.Batch.Jobs;

/// <summary>
/// One run of a batch job (one shard): checks the schema, then reads the input part by part (the next part is read
/// and decoded while the current one is scored), scores each part, writes its output and errors files, and commits it
/// in the manifest; a resumed run skips committed parts. A run with one shard assembles the output at the end.
/// </summary>
public sealed partial class BatchJob
{
    private readonly BatchJobOptions _options;
    private readonly IBatchStore _input;
    private readonly IBatchStore _output;
    private readonly IBatchScorer _scorer;
    private readonly TimeProvider _time;

    /// <param name="options">The job.</param>
    /// <param name="inputStore">Where the input is.</param>
    /// <param name="outputStore">Where the output, parts and manifests go.</param>
    /// <param name="scorer">Runs the model.</param>
    /// <param name="timeProvider">Clock for retries' backoff and the rate; null: the system clock.</param>
    public BatchJob(BatchJobOptions options, IBatchStore inputStore, IBatchStore outputStore, IBatchScorer scorer, TimeProvider? timeProvider = null)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        _options = options;
        _input = inputStore;
        _output = outputStore;
        _scorer = scorer;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Runs the job.</summary>
    /// <param name="progress">Told after each committed part, or null.</param>
    /// <param name="stop">A stop request (Ctrl-C): the run finishes the part being scored, commits it, and returns "stopped".</param>
    /// <exception cref="BatchSchemaException">The input does not fit the model (before any work).</exception>
    /// <exception cref="BatchJobException">The job failed (too many errors, a part failed past its retries, a manifest that does not match).</exception>
    public async Task<BatchSummary> RunAsync(IProgress<BatchProgress>? progress, CancellationToken stop)
    {
        var started = _time.GetTimestamp();
        var inputFormat = _options.InputFormat ?? TableFormats.Resolve(null, _options.Input);
        var outputFormat = _options.OutputFormat ?? TableFormats.Resolve(null, _options.Output);
        var model = await _scorer.GetSignatureAsync(CancellationToken.None).ConfigureAwait(false);
        var identity = await _input.IdentityAsync(_options.Input, CancellationToken.None).ConfigureAwait(false);
        var reader = await OpenReaderAsync(inputFormat).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var mapping = BatchMapping.Create(reader.Columns, inputFormat, model, _options);
            var manifest = await LoadManifestAsync(Fingerprint(identity, model, mapping, outputFormat), outputFormat, mapping).ConfigureAwait(false);
            var batchSize = model.MaxBatchSize <= 0 ? 1 : _options.BatchSize > 0 ? Math.Min(_options.BatchSize, model.MaxBatchSize) : model.MaxBatchSize;
            var concurrency = _options.Concurrency > 0 ? _options.Concurrency : Math.Max(2, model.Instances * 2);
            var scorer = new PartScorer(_scorer, model, mapping, batchSize, concurrency, _options.Classification);

            long rowsDone = 0, rowsScored = 0;
            var failedBefore = manifest.Parts.Values.Sum(p => (long)p.Errors);
            var failed = failedBefore;
            var skipped = 0;
            var committed = 0;
            var mine = (int p) => p % _options.ShardCount == _options.ShardIndex;
            var rowsTotal = reader.RowsIn(p => mine(p) && !manifest.Parts.ContainsKey(p));

            // The reader runs ahead by one part: the next part is read and decoded while this one is scored.
            var channel = Channel.CreateBounded<TablePart>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
            using var readerStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var producer = Task.Run(async () =>
            {
                try
                {
                    await foreach (var part in reader.ReadPartsAsync(p =>
                    {
                        var wanted = mine(p) && !manifest.Parts.ContainsKey(p);
                        if (mine(p) && !wanted)
                        {
                            Interlocked.Increment(ref skipped);
                        }

                        return wanted;
                    }, readerStop.Token).ConfigureAwait(false))
                    {
                        await channel.Writer.WriteAsync(part, readerStop.Token).ConfigureAwait(false);
                    }

                    channel.Writer.TryComplete();
                }
                catch (Exception e)
                {
                    channel.Writer.TryComplete(e);
                }
            }, CancellationToken.None);

            var status = "completed";
            string? message = null;
            async Task CommitPartAsync(TablePart part, object?[][] outputs, SortedDictionary<int, string> errors)
            {
                await CommitAsync(manifest, part, mapping, outputFormat, outputs, errors).ConfigureAwait(false);
                committed++;
                rowsDone += part.RowCount;
                rowsScored += part.RowCount - errors.Count;
                progress?.Report(new BatchProgress(rowsDone, rowsTotal, committed, failed, _time.GetElapsedTime(started)));
            }

            // A part's commit (its files and the manifest, each flushed to disk) overlaps the scoring of the next part;
            // commits stay in input order, one at a time.
            var commit = Task.CompletedTask;
            try
            {
                await foreach (var part in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    var result = await ScorePartWithRetriesAsync(scorer, part, failed).ConfigureAwait(false);
                    failed += result.Errors.Count;
                    await commit.ConfigureAwait(false);
                    commit = CommitPartAsync(part, result.Outputs, result.Errors);
                    if (stop.IsCancellationRequested)
                    {
                        await commit.ConfigureAwait(false);
                        status = "stopped";
                        message = "stopped at a part boundary; run again with --resume to continue";
                        break;
                    }
                }

                await commit.ConfigureAwait(false);
            }
            catch
            {
                // The committed parts stay committed; a commit in flight finishes before the error is reported.
                await commit.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
                throw;
            }
            finally
            {
                await readerStop.CancelAsync().ConfigureAwait(false);
                channel.Reader.TryRead(out _);
                await producer.ConfigureAwait(false);
            }

            if (status == "completed" && reader.PartCount is { } total)
            {
                manifest.TotalParts = total;
                await SaveManifestAsync(manifest).ConfigureAwait(false);
            }

            var assembled = false;
            if (status == "completed" && _options.ShardCount == 1)
            {
                await BatchAssembler.AssembleAsync(_output, _options.Output, _options.EffectiveErrorsPath, outputFormat, CancellationToken.None).ConfigureAwait(false);
                assembled = true;
            }
            else if (status == "completed" && _options.MergeWhenComplete)
            {
                try
                {
                    await BatchAssembler.AssembleAsync(_output, _options.Output, _options.EffectiveErrorsPath, outputFormat, CancellationToken.None).ConfigureAwait(false);
                    assembled = true;
                }
                catch (BatchJobException e)
                {
                    message = $"shard {_options.ShardIndex} of {_options.ShardCount} done; not merged yet: {e.Message}";
                }
            }

            var elapsed = _time.GetElapsedTime(started).TotalSeconds;
            return new BatchSummary
            {
                Status = status,
                Message = message ?? (assembled || _options.ShardCount == 1 ? null : $"shard {_options.ShardIndex} of {_options.ShardCount} done; assemble with 'turbine batch merge --output {_options.Output}' once every shard is"),
                Output = _options.Output,
                Errors = _options.EffectiveErrorsPath,
                ShardIndex = _options.ShardIndex,
                ShardCount = _options.ShardCount,
                TotalParts = manifest.TotalParts,
                PartsCommitted = committed,
                PartsSkipped = skipped,
                RowsRead = rowsDone,
                RowsScored = rowsScored,
                RowsFailed = failed - failedBefore,
                Requests = scorer.Requests,
                Seconds = Math.Round(elapsed, 3),
                RowsPerSecond = elapsed > 0 ? Math.Round(rowsDone / elapsed, 1) : 0,
                Assembled = assembled,
            };
        }
    }

    private async Task<ITableReader> OpenReaderAsync(TableFormat format)
    {
        var stream = await _input.OpenReadAsync(_options.Input, format == TableFormat.Parquet, CancellationToken.None).ConfigureAwait(false);
        try
        {
            // The reader owns the stream from here (disposed with the reader, which the caller disposes).
#pragma warning disable CA2000
            ITableReader reader = format switch
            {
                TableFormat.Csv => await CsvTableReader.OpenAsync(stream, _options.PartRows, _options.MaxRowChars).ConfigureAwait(false),
                TableFormat.JsonLines => await JsonLinesTableReader.OpenAsync(stream, _options.PartRows, _options.MaxRowChars, CancellationToken.None).ConfigureAwait(false),
                _ => await ParquetTableReader.OpenAsync(stream, CancellationToken.None, _options.MaxPartRows).ConfigureAwait(false),
            };
#pragma warning restore CA2000
            return reader;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<(object?[][] Outputs, SortedDictionary<int, string> Errors)> ScorePartWithRetriesAsync(PartScorer scorer, TablePart part, long failedSoFar)
    {
        var (rows, errors) = scorer.Encode(part);
        if (_options.MaxErrors >= 0 && failedSoFar + errors.Count > _options.MaxErrors)
        {
            var first = errors.First();
            throw new BatchJobException($"more than --max-errors {_options.MaxErrors} rows failed; row {part.FirstRow + first.Key}: {first.Value}");
        }

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return (await scorer.ScoreAsync(rows, CancellationToken.None).ConfigureAwait(false), errors);
            }
            catch (BatchScoringException e) when (attempt < _options.PartRetries)
            {
                _ = e;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 200 << attempt)), _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (BatchScoringException e)
            {
                throw new BatchJobException($"part {part.Index} (rows {part.FirstRow}–{part.FirstRow + part.RowCount - 1}) failed {attempt + 1} times: {e.Message}; committed parts are kept, rerun with --resume", e);
            }
        }
    }

    private string Fingerprint(string identity, ModelSignature model, BatchMapping mapping, TableFormat outputFormat)
    {
        var text = JsonSerializer.Serialize(new
        {
            identity,
            model = _options.ModelReference.Length > 0 ? _options.ModelReference : model.Name,
            columns = mapping.OutputSchema.Select(c => $"{c.Name}:{c.Kind}:{c.ElementKind}"),
            inputs = mapping.Inputs.Select(i => $"{i.Spec.Name}={string.Join(',', i.ColumnNames)}"),
            format = outputFormat.ToString(),
            _options.PartRows,
            _options.ShardCount,
            _options.Classification,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>The batch job failed; committed parts are kept for <c>--resume</c>.</summary>
public sealed class BatchJobException : Exception
{
    public BatchJobException()
    {
    }

    public BatchJobException(string message)
        : base(message)
    {
    }

    public BatchJobException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
