using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Control.Batch;

namespace Turbine.Cli.Commands;

/// <summary>
/// The batch job API's flags on <c>turbine control serve</c> (docs/batch.md): the folder jobs are confined to, how many run
/// at once, and where in-process models come from (a model repository, or the registry for references with @ or :).
/// </summary>
internal sealed class BatchJobFlags
{
    private static readonly BatchJobsOptions Defaults = new();

    private readonly Option<string?> _folder = new("--batch-folder") { Description = "Enable the batch job API (/api/v1/batch/jobs); job inputs and outputs are confined to this folder." };
    private readonly Option<int> _maxJobs = new("--batch-max-jobs") { Description = "Batch jobs running at once.", DefaultValueFactory = _ => Defaults.MaxConcurrentJobs };
    private readonly Option<int> _maxQueued = new("--batch-max-queued") { Description = "Batch jobs waiting at most (429 beyond).", DefaultValueFactory = _ => Defaults.MaxQueuedJobs };
    private readonly Option<string[]> _s3 = new("--batch-s3-prefix") { Description = "An s3://bucket/prefix/ jobs may read and write (repeat for more; default none)." };
    private readonly Option<string?> _repository = new("--batch-model-repository") { Description = "Model repository for in-process jobs naming a plain model." };
    private readonly Option<string?> _registry = new("--batch-registry") { Description = $"Registry for in-process jobs naming a reference (fraud@production; default ${ModelsCommand.RegistryUrlVariable})." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _folder, _maxJobs, _maxQueued, _s3, _repository, _registry })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Registers the job API when <c>--batch-folder</c> is given; a usage error for bad values.</summary>
    public Action<IServiceCollection> Services(ParseResult parse, string dataDirectory)
    {
        var options = new BatchJobsOptions
        {
            Folder = parse.GetValue(_folder) is { } folder ? Path.GetFullPath(folder) : null,
            MaxConcurrentJobs = parse.GetValue(_maxJobs),
            MaxQueuedJobs = parse.GetValue(_maxQueued),
            AllowedS3Prefixes = parse.GetValue(_s3) ?? [],
        };
        if (options.Problems() is [var first, ..])
        {
            throw new ControlCommand.UsageException(first);
        }

        var opener = new CliModelOpener(
            parse.GetValue(_repository) is { } repository ? Path.GetFullPath(repository) : null,
            parse.GetValue(_registry),
            Path.Combine(dataDirectory, "batch-registry-cache"));
        return services =>
        {
            services.AddSingleton<IBatchModelOpener>(opener);
            BatchJobsApi.Register(services, options);
        };
    }

    /// <summary>In-process models for jobs, loaded exactly as <c>turbine batch run</c> loads them.</summary>
    private sealed class CliModelOpener(string? repository, string? registry, string registryCache) : IBatchModelOpener
    {
        public Task<BatchScorerLease> OpenAsync(string model, string? version, CancellationToken cancellationToken)
        {
            var fromRegistry = model.Contains('@', StringComparison.Ordinal) || model.Contains(':', StringComparison.Ordinal);
            if (!fromRegistry && repository is null)
            {
                throw new ArgumentException($"model '{model}': this control plane has no --batch-model-repository; name a registry reference (model@alias) or a deployment");
            }

            if (!fromRegistry && (model.Contains('/', StringComparison.Ordinal) || model is "." or ".."))
            {
                throw new ArgumentException($"model '{model}' is not a model name");
            }

            return BatchCommand.OpenInProcessAsync(model, version, fromRegistry ? null : repository, fromRegistry ? registry : null, null, registryCache);
        }
    }
}
