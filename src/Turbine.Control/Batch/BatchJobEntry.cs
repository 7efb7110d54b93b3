using Turbine.Batch;
using Turbine.Batch.Jobs;

namespace Turbine.Control.Batch;

/// <summary>One submitted job: what it runs, who asked, and its state, updated by the job's task and read by the API.</summary>
internal sealed class BatchJobEntry : IDisposable
{
    private readonly object _lock = new();
    private BatchJobResponse _view;

    public BatchJobEntry(string id, string owner, string model, string? deployment, string? version, string protocol, string? bearer,
        BatchJobOptions options, string input, string output, DateTimeOffset submittedAt)
    {
        Id = id;
        Model = model;
        Deployment = deployment;
        Version = version;
        Protocol = protocol;
        Bearer = bearer;
        Options = options;
        _view = new BatchJobResponse(id, "queued", owner, model, deployment, input, output, 0, null, 0, 0, 0, null, null, submittedAt, null, null, null);
    }

    public string Id { get; }

    public string Model { get; }

    public string? Deployment { get; }

    public string? Version { get; }

    public string Protocol { get; }

    /// <summary>The submitter's token, sent to the gateway for a deployment job; never shown.</summary>
    public string? Bearer { get; }

    public BatchJobOptions Options { get; }

    /// <summary>Asks the job to stop at a part boundary (DELETE, or the control plane stopping).</summary>
    public CancellationTokenSource Stop { get; } = new();

    public Task Completion { get; set; } = Task.CompletedTask;

    public BatchJobResponse View
    {
        get
        {
            lock (_lock)
            {
                return _view;
            }
        }
    }

    public void Update(Func<BatchJobResponse, BatchJobResponse> change)
    {
        lock (_lock)
        {
            _view = change(_view);
        }
    }

    public void Report(BatchProgress progress)
    {
        var seconds = progress.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? progress.RowsDone / seconds : 0;
        double? eta = progress.RowsTotal is { } total && rate > 0 ? Math.Round(Math.Max(0, total - progress.RowsDone) / rate, 1) : null;
        Update(v => v with
        {
            RowsDone = progress.RowsDone,
            RowsTotal = progress.RowsTotal,
            RowsFailed = progress.RowsFailed,
            PartsCommitted = progress.PartsDone,
            RowsPerSecond = Math.Round(rate, 1),
            EtaSeconds = eta,
        });
    }

    public void Dispose() => Stop.Dispose();
}
