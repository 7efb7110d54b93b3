using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Backends.DotNet;
using Turbine.Backends.Onnx;
using Turbine.Batch;
using Turbine.Batch.Jobs;
using Turbine.Batch.Mapping;
using Turbine.Batch.Scoring;
using Turbine.Batch.Tables;
using Turbine.Client;
using Turbine.Core;
using Turbine.Core.Lifecycle;
using Turbine.Server.Registry;

namespace Turbine.Cli.Commands;

internal static partial class BatchCommand
{
    private static Command CreateRun()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model: a name in --model-repository, a registry reference (fraud@production, fraud:3) with --registry, or a model name on --url.", Required = true };
        var repository = new Option<string?>("--model-repository") { Description = "Run in-process from this model repository folder." };
        var registry = new Option<string?>("--registry") { Description = $"Run in-process from this model registry (default ${ModelsCommand.RegistryUrlVariable} for a reference with @ or :)." };
        var registryToken = new Option<string?>("--registry-token") { Description = $"Registry bearer token (default ${ModelsCommand.RegistryTokenVariable})." };
        var registryCache = new Option<string>("--registry-cache")
        {
            Description = "Local cache of registry artifacts.",
            DefaultValueFactory = _ => Path.Combine(Environment.GetEnvironmentVariable("TURBINE_HOME")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".turbine"), "registry-cache"),
        };
        var url = new Option<string?>("--url", "-u") { Description = "Score remotely on this server or gateway instead of in-process." };
        var token = InferCommand.TokenOption();
        var o = new ScoringOptions(
            "Input file: .csv, .jsonl or .parquet, local or s3://bucket/key.",
            "Output file: .csv, .jsonl or .parquet, local or s3://bucket/key.",
            "Remote protocol: http or grpc.");
        var maxPartRows = new Option<int>("--max-part-rows") { Description = "Largest Parquet row group accepted (each is decoded whole).", DefaultValueFactory = _ => 1_000_000 };
        var shardIndex = new Option<int?>("--shard-index") { Description = $"This shard (default ${ShardIndexVariable}, else 0)." };
        var shardCount = new Option<int?>("--shard-count") { Description = $"Number of shards (default ${ShardCountVariable}, else 1)." };
        var merge = new Option<bool>("--merge") { Description = "With shards: assemble the output when this shard finishes if every shard has (for indexed Jobs)." };
        var progressMode = new Option<string>("--progress") { Description = "Progress: auto (a bar on a terminal, log lines otherwise), bar, log, none.", DefaultValueFactory = _ => "auto" };
        progressMode.AcceptOnlyFromAmong("auto", "bar", "log", "none");
        var command = new Command("run", "Score a file with a model (in-process, or remote with --url).")
        {
            model, repository, registry, registryToken, registryCache, url, token,
        };
        o.AddTo(command);
        foreach (Option option in (ReadOnlySpan<Option>)[maxPartRows, shardIndex, shardCount, merge, progressMode])
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var json = parse.GetValue(o.Format) == "json";
            try
            {
                var (index, count) = Shards(parse.GetValue(shardIndex), parse.GetValue(shardCount));
                var reference = parse.GetValue(model)!;
                var options = new BatchJobOptions
                {
                    Input = parse.GetValue(o.Input)!,
                    Output = parse.GetValue(o.Output)!,
                    InputFormat = parse.GetValue(o.InputFormat) is { } inf ? TableFormats.Resolve(inf, "") : null,
                    OutputFormat = parse.GetValue(o.OutputFileFormat) is { } outf ? TableFormats.Resolve(outf, "") : null,
                    ErrorsPath = parse.GetValue(o.Errors),
                    KeepColumns = (parse.GetValue(o.Keep) ?? []).SelectMany(k => k.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList(),
                    IdColumn = parse.GetValue(o.Id),
                    InputMap = ParseMap(parse.GetValue(o.Map) ?? []),
                    OutputColumns = ParseOutputColumns(parse.GetValue(o.OutputColumns) ?? []),
                    Classification = parse.GetValue(o.Classification),
                    PartRows = parse.GetValue(o.PartRows),
                    MaxPartRows = parse.GetValue(maxPartRows),
                    BatchSize = parse.GetValue(o.BatchSize),
                    Concurrency = parse.GetValue(o.Concurrency),
                    MaxErrors = parse.GetValue(o.MaxErrors),
                    PartRetries = parse.GetValue(o.Retries),
                    Resume = parse.GetValue(o.Resume),
                    Overwrite = parse.GetValue(o.Overwrite),
                    ShardIndex = index,
                    ShardCount = count,
                    MergeWhenComplete = parse.GetValue(merge),
                    ModelReference = parse.GetValue(url) is { } remote ? $"{remote}|{reference}" : reference,
                };
                var problems = options.Validate();
                if (problems.Count > 0)
                {
                    throw new ArgumentException(string.Join("; ", problems));
                }

                using var stores = new BatchStores();
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                using var signals = StopSignals.Register(stop);
                var target = new ModelTarget(reference, parse.GetValue(repository), parse.GetValue(registry), parse.GetValue(registryToken),
                    parse.GetValue(registryCache)!, parse.GetValue(url), parse.GetValue(o.Protocol)!, InferCommand.ReadToken(parse, token), parse.GetValue(o.Version));
                var summary = await RunWithModelAsync(target, options, stores, parse.GetValue(progressMode)!, stop.Token).ConfigureAwait(false);
                WriteSummary(summary, json);
                return summary.Status == "stopped" ? StoppedExitCode : 0;
            }
            catch (BatchSchemaException e)
            {
                await Console.Error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            catch (Exception e) when (e is BatchJobException or BatchScoringException or ArgumentException or IOException or InvalidDataException
                or InvalidOperationException or HttpRequestException or TurbineClientException or Amazon.Runtime.AmazonServiceException)
            {
                await Console.Error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    internal static (int Index, int Count) Shards(int? index, int? count)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ShardIndexVariable);
        if (index is null && fromEnvironment is { Length: > 0 })
        {
            index = int.TryParse(fromEnvironment, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed : throw new ArgumentException($"${ShardIndexVariable} '{fromEnvironment}' is not a shard index");
        }

        if (count is null && Environment.GetEnvironmentVariable(ShardCountVariable) is { Length: > 0 } c)
        {
            count = int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed : throw new ArgumentException($"${ShardCountVariable} '{c}' is not a shard count");
        }

        if (index is not null && count is null)
        {
            throw new ArgumentException($"a shard index ({index}) needs --shard-count (or ${ShardCountVariable})");
        }

        return (index ?? 0, count ?? 1);
    }

    private sealed record ModelTarget(string Reference, string? Repository, string? Registry, string? RegistryToken, string RegistryCache,
        string? Url, string Protocol, string? Token, string? Version);

    private static async Task<BatchSummary> RunWithModelAsync(ModelTarget target, BatchJobOptions options, BatchStores stores, string progressMode, CancellationToken stop)
    {
        if (target.Url is not null)
        {
            using var client = InferCommand.CreateClient(target.Protocol, target.Url, target.Token);
            var scorer = new RemoteScorer(client, target.Reference, target.Version);
            return await RunJobAsync(options with { Concurrency = options.Concurrency > 0 ? options.Concurrency : 4 }, stores, scorer, progressMode, stop).ConfigureAwait(false);
        }

        await using var lease = await OpenInProcessAsync(target.Reference, target.Version, target.Repository, target.Registry, target.RegistryToken, target.RegistryCache).ConfigureAwait(false);
        return await RunJobAsync(options, stores, lease.Scorer, progressMode, stop).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads <paramref name="reference"/> in an engine of its own: from <paramref name="repository"/>, or from the
    /// registry for a reference with <c>@</c> or <c>:</c> (pulled into <paramref name="registryCache"/> as
    /// <c>turbine serve --registry</c> does). Shared by <c>batch run</c> and the control plane's job API.
    /// </summary>
    internal static async Task<Turbine.Control.Batch.BatchScorerLease> OpenInProcessAsync(
        string reference, string? versionText, string? repository, string? registry, string? registryToken, string registryCache)
    {
        var fromRegistry = registry is not null || reference.Contains('@', StringComparison.Ordinal) || reference.Contains(':', StringComparison.Ordinal);
        if (repository is not null && fromRegistry && registry is not null)
        {
            throw new ArgumentException("give --model-repository or --registry, not both");
        }

        long? version = versionText is null ? null
            : long.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ArgumentException($"--model-version '{versionText}' is not a version number");
        if (repository is not null && !fromRegistry)
        {
            if (!Directory.Exists(repository))
            {
                throw new ArgumentException($"model repository '{repository}' does not exist");
            }

            var engine = new InferenceEngine(
                new EngineOptions { ModelRepository = repository, ControlMode = ModelControlMode.Explicit, StartupModels = [reference], ResponseCacheBytes = 0 },
                [new OnnxBackend(), new DotNetBackend()], NullLogger.Instance);
            try
            {
                await engine.StartAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch
            {
                await engine.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            return new Turbine.Control.Batch.BatchScorerLease(new EngineScorer(engine, reference, version), engine);
        }

        if (repository is null && !fromRegistry)
        {
            throw new ArgumentException("give --model-repository DIR (in-process), --registry URL with a reference such as fraud@production, or --url (remote)");
        }

        var registryOptions = new RegistryServingOptions
        {
            Url = new Uri(registry ?? (Environment.GetEnvironmentVariable(ModelsCommand.RegistryUrlVariable) is { Length: > 0 } env ? env : ModelsCommand.DefaultRegistryUrl)),
            Models = [reference],
            Token = registryToken ?? (Environment.GetEnvironmentVariable(ModelsCommand.RegistryTokenVariable) is { Length: > 0 } t ? t : null),
            CacheDirectory = Path.GetFullPath(registryCache),
        };
        var name = reference.Split('@', ':')[0];
        var owner = new EngineAndSync(new RegistrySync(registryOptions, TimeProvider.System, NullLogger.Instance));
        try
        {
            owner.Engine = new InferenceEngine(
                new EngineOptions { ModelRepository = registryOptions.RepositoryDirectory, ControlMode = ModelControlMode.Explicit, ResponseCacheBytes = 0 },
                [new OnnxBackend(), new DotNetBackend()], NullLogger.Instance, source: owner.Sync);
            await owner.Engine.StartAsync(CancellationToken.None).ConfigureAwait(false);
            return new Turbine.Control.Batch.BatchScorerLease(new EngineScorer(owner.Engine, name, version), owner);
        }
        catch
        {
            await owner.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A registry-fed engine and its sync, disposed engine first.</summary>
    private sealed class EngineAndSync(RegistrySync sync) : IAsyncDisposable
    {
        public RegistrySync Sync { get; } = sync;

        public InferenceEngine? Engine { get; set; }

        public async ValueTask DisposeAsync()
        {
            if (Engine is not null)
            {
                await Engine.DisposeAsync().ConfigureAwait(false);
            }

            await Sync.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<BatchSummary> RunJobAsync(BatchJobOptions options, BatchStores stores, IBatchScorer scorer, string progressMode, CancellationToken stop)
    {
        var job = new BatchJob(options, stores.For(options.Input), stores.For(options.Output), scorer);
        return await BatchProgressView.RunAsync(progressMode, reporter => job.RunAsync(reporter, stop)).ConfigureAwait(false);
    }
}
