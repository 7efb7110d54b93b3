using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Turbine.Batch;
using Turbine.Batch.Tables;
using Turbine.Control.Api;

namespace Turbine.Control.Batch;

/// <summary>
/// Runs the control plane's batch jobs in-process: at most <see cref="BatchJobsOptions.MaxConcurrentJobs"/> at once,
/// the rest queued (bounded), each with its paths confined to the batch folder. A job is a <see cref="Turbine.Batch.Jobs.BatchJob"/>
/// (the same code as <c>turbine batch run</c>) against a model loaded for it or a deployment through the gateway.
/// </summary>
internal sealed partial class BatchJobManager : IAsyncDisposable
{
    private readonly BatchJobsOptions _options;
    private readonly IBatchModelOpener? _opener;
    private readonly IBatchDeployments? _deployments;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BatchPaths _paths;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, BatchJobEntry> _jobs = new(StringComparer.Ordinal);
    private readonly object _submitLock = new();
    private int _disposed;

    public BatchJobManager(BatchJobsOptions options, IBatchModelOpener? opener, IBatchDeployments? deployments, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problems() is [_, ..] problems)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        var folder = options.Folder ?? throw new ArgumentException("the batch folder is not set", nameof(options));
        Directory.CreateDirectory(folder);
        var root = Core.Repository.NativeFiles.RealPath(Path.GetFullPath(folder))
            ?? throw new ArgumentException($"the batch folder '{folder}' cannot be resolved", nameof(options));
        _options = options;
        _opener = opener;
        _deployments = deployments;
        _time = time;
        _logger = logger;
        _paths = new BatchPaths(root, options.AllowedS3Prefixes);
        _slots = new SemaphoreSlim(options.MaxConcurrentJobs, options.MaxConcurrentJobs);
    }

    /// <summary>The batch folder's real path.</summary>
    public string Folder => _paths.Root;

    /// <summary>Checks and queues a job; the error is (status, code, message) when refused.</summary>
    public (BatchJobEntry? Job, (int Status, string Code, string Message)? Error) Submit(BatchJobRequest request, ControlCaller caller, string? bearer)
    {
        BatchJobOptions options;
        string model;
        string input, output;
        try
        {
            (model, options, input, output) = Check(request, caller);
        }
        catch (UnauthorizedAccessException e)
        {
            return (null, (403, "forbidden", e.Message));
        }
        catch (ArgumentException e)
        {
            return (null, (400, "invalid", e.Message));
        }

        var id = "b-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var entry = new BatchJobEntry(id, caller.Name, model, request.Deployment, request.Version, request.Protocol ?? "http",
            request.Deployment is null ? null : bearer, options, input, output, _time.GetUtcNow());
        lock (_submitLock)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                entry.Dispose();
                return (null, (503, "unavailable", "the control plane is stopping"));
            }

            if (_jobs.Values.Any(j => !j.View.IsFinished && (SameFile(j.Options.Output, options.Output) || SameFile(j.Options.Output, options.Input) || SameFile(j.Options.Input, options.Output))))
            {
                entry.Dispose();
                return (null, (409, "conflict", $"a running or queued job already writes '{request.Output}', writes this job's input, or reads what this job would write; cancel it or wait"));
            }

            var active = _jobs.Values.Count(j => !j.View.IsFinished);
            if (active >= _options.MaxQueuedJobs + _options.MaxConcurrentJobs)
            {
                entry.Dispose();
                return (null, (429, "too_many_jobs",
                    $"{active} batch jobs are running or waiting (at most {_options.MaxConcurrentJobs} running and {_options.MaxQueuedJobs} queued); try again later"));
            }

            _jobs[id] = entry;
            Forget();
            entry.Completion = Task.Run(() => RunAsync(entry), CancellationToken.None);
        }

        BatchJobLog.Submitted(_logger, id, caller.Name, model, request.Deployment ?? "(in-process)");
        return (entry, null);
    }

    private static bool SameFile(string a, string b) => string.Equals(a, b, StringComparison.Ordinal);

    /// <summary>The jobs the caller may see, newest first.</summary>
    public IReadOnlyList<BatchJobResponse> List(ControlCaller caller) =>
        [.. _jobs.Values.Where(j => MayTouch(caller, j)).Select(j => j.View).OrderByDescending(v => v.SubmittedAt).ThenBy(v => v.Id, StringComparer.Ordinal)];

    public BatchJobEntry? Find(string id) => _jobs.GetValueOrDefault(id);

    public static bool MayTouch(ControlCaller caller, BatchJobEntry job) => caller.MayTouch(job.Deployment ?? job.Model.Split('@', ':')[0]);

    /// <summary>Cancels a queued or running job (it stops at a part boundary); a finished one is forgotten. Returns the job's view after.</summary>
    public async Task<BatchJobResponse?> CancelAsync(BatchJobEntry job, ControlCaller caller)
    {
        if (job.View.IsFinished)
        {
            _jobs.TryRemove(job.Id, out _);
            job.Dispose();
            return null;
        }

        job.Update(v => v.State is "queued" or "running" ? v with { State = "cancelling" } : v);
        BatchJobLog.Cancelling(_logger, job.Id, caller.Name);
        await job.Stop.CancelAsync().ConfigureAwait(false);
        return job.View;
    }

    /// <summary>Forgets the oldest finished jobs beyond the limit.</summary>
    private void Forget()
    {
        var finished = _jobs.Values.Where(j => j.View.IsFinished).OrderBy(j => j.View.FinishedAt).ToList();
        foreach (var old in finished.Take(Math.Max(0, finished.Count - _options.MaxFinishedJobs)))
        {
            if (_jobs.TryRemove(old.Id, out _))
            {
                old.Dispose();
            }
        }
    }

    private (string Model, BatchJobOptions Options, string Input, string Output) Check(BatchJobRequest request, ControlCaller caller)
    {
        var deployment = request.Deployment;
        var model = request.Model;
        if (deployment is not null)
        {
            if (!caller.MayTouch(deployment))
            {
                throw new UnauthorizedAccessException($"token '{caller.Name}' is limited to '{caller.Deployments}'; deployment '{deployment}' is outside it");
            }

            var deployments = _deployments ?? throw new ArgumentException("this control plane runs no gateway; give 'model' to run in-process");
            var names = deployments.ModelNames(deployment);
            if (names.Count == 0)
            {
                throw new ArgumentException($"deployment '{deployment}' serves no model now (unknown, or not ready yet)");
            }

            model ??= names.Count == 1 ? names[0] : throw new ArgumentException($"deployment '{deployment}' serves several models ({string.Join(", ", names)}); name one in 'model'");
            if (!names.Contains(model, StringComparer.Ordinal))
            {
                throw new ArgumentException($"deployment '{deployment}' does not serve model '{model}' (it serves {string.Join(", ", names)})");
            }

            if (request.Protocol is not (null or "http" or "grpc"))
            {
                throw new ArgumentException($"'protocol' must be http or grpc, got '{request.Protocol}'");
            }
        }
        else
        {
            if (string.IsNullOrWhiteSpace(model))
            {
                throw new ArgumentException("give 'model' (in-process: a repository model or a registry reference) or 'deployment' (through the gateway)");
            }

            if (!caller.MayTouch(model.Split('@', ':')[0]))
            {
                throw new UnauthorizedAccessException($"token '{caller.Name}' is limited to '{caller.Deployments}'; model '{model}' is outside it");
            }

            if (_opener is null)
            {
                throw new ArgumentException("this control plane cannot load models in-process; give 'deployment' to score through the gateway");
            }
        }

        var input = _paths.Resolve("input", request.Input);
        var output = _paths.Resolve("output", request.Output);
        _paths.Resolve("output", request.Output + ".parts");
        var errors = request.Errors is null ? null : _paths.Resolve("errors", request.Errors);
        _paths.Resolve("errors", errors is null ? request.Output + ".errors.jsonl" : request.Errors);
        var errorsPath = errors ?? output + ".errors.jsonl";
        if (input == output || input == errorsPath || output == errorsPath)
        {
            throw new ArgumentException("'input', 'output' and 'errors' must be three different files");
        }

        var options = new BatchJobOptions
        {
            Input = input,
            Output = output,
            ErrorsPath = errors,
            InputFormat = request.InputFormat is { } inf ? TableFormats.Resolve(inf, "") : null,
            OutputFormat = request.OutputFileFormat is { } outf ? TableFormats.Resolve(outf, "") : null,
            KeepColumns = (request.KeepColumns ?? []).SelectMany(k => k.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList(),
            IdColumn = request.IdColumn,
            InputMap = BatchOptionText.ParseMap(request.Map ?? []),
            OutputColumns = BatchOptionText.ParseOutputColumns(request.OutputColumns ?? []),
            Classification = request.Classification,
            PartRows = request.PartRows ?? 10_000,
            MaxPartRows = request.MaxPartRows ?? 1_000_000,
            BatchSize = request.BatchSize,
            Concurrency = deployment is not null && request.Concurrency == 0 ? 4 : request.Concurrency,
            MaxErrors = request.MaxErrors ?? -1,
            PartRetries = request.PartRetries ?? 3,
            Resume = request.Resume,
            Overwrite = request.Overwrite,
            ModelReference = deployment is null ? model : $"deployment:{deployment}|{model}",
        };
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException(string.Join("; ", problems));
        }

        if (options.InputFormat is null)
        {
            TableFormats.Resolve(null, input);
        }

        if (options.OutputFormat is null)
        {
            TableFormats.Resolve(null, output);
        }

        return (model, options, _paths.Show(input), _paths.Show(output));
    }

    public async ValueTask DisposeAsync()
    {
        lock (_submitLock)
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
        }

        // Every job stops at its next part boundary (committed parts stay; a resubmission with resume continues).
        var jobs = _jobs.Values.ToList();
        foreach (var job in jobs)
        {
            await job.Stop.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(jobs.Select(j => j.Completion)).WaitAsync(TimeSpan.FromSeconds(60), _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            BatchJobLog.ShutdownTimedOut(_logger, jobs.Count(j => !j.Completion.IsCompleted));
        }

        foreach (var job in jobs.Where(j => j.Completion.IsCompleted))
        {
            job.Dispose();
        }

        if (jobs.All(j => j.Completion.IsCompleted))
        {
            // A job still running past the timeout releases its slot later; the semaphore stays for it.
            _slots.Dispose();
        }
    }
}
