using Turbine.Batch;
using Turbine.Batch.Jobs;
using Turbine.Batch.Mapping;
using Turbine.Batch.Scoring;
using Turbine.Batch.Storage;
using Turbine.Client;

namespace Turbine.Control.Batch;

internal sealed partial class BatchJobManager
{
    /// <summary>Waits for a slot, loads the model (or opens a client to the gateway), runs the job, records how it ended.</summary>
    private async Task RunAsync(BatchJobEntry job)
    {
        var stop = job.Stop.Token;
        try
        {
            await _slots.WaitAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Finish(job, "cancelled", null, null);
            return;
        }

        try
        {
            job.Update(v => v with { State = v.State == "cancelling" ? v.State : "running", StartedAt = _time.GetUtcNow() });
            BatchJobLog.Started(_logger, job.Id);
            await using var lease = await OpenAsync(job, stop).ConfigureAwait(false);
            using var s3 = S3Location.IsS3(job.Options.Input) || S3Location.IsS3(job.Options.Output) ? new S3BatchStore() : null;
            var local = new LocalBatchStore();
            var run = new BatchJob(job.Options, S3Location.IsS3(job.Options.Input) ? s3! : local, S3Location.IsS3(job.Options.Output) ? s3! : local, lease.Scorer, _time);
            var summary = await run.RunAsync(new Progress(job), stop).ConfigureAwait(false);
            summary = summary with { Output = _paths.Show(summary.Output), Errors = _paths.Show(summary.Errors) };
            Finish(job, summary.Status == "stopped" ? "cancelled" : "completed", null, summary);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Finish(job, "cancelled", null, null);
        }
        catch (BatchSchemaException e)
        {
            Finish(job, "failed", "the input does not fit the model: " + e.Message, null);
        }
        catch (Exception e) when (e is BatchJobException or BatchScoringException or ArgumentException or IOException or InvalidDataException
            or InvalidOperationException or HttpRequestException or TurbineClientException or UnauthorizedAccessException or Amazon.Runtime.AmazonServiceException)
        {
            Finish(job, "failed", e.Message.Replace(_paths.Root + "/", "", StringComparison.Ordinal), null);
        }
#pragma warning disable CA1031 // A job's unexpected failure is recorded on the job; the control plane keeps serving.
        catch (Exception e)
#pragma warning restore CA1031
        {
            BatchJobLog.Crashed(_logger, job.Id, e);
            Finish(job, "failed", $"{e.GetType().Name}: {e.Message}", null);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<BatchScorerLease> OpenAsync(BatchJobEntry job, CancellationToken stop)
    {
        if (job.Deployment is null)
        {
            return await _opener!.OpenAsync(job.Model, job.Version, stop).ConfigureAwait(false);
        }

        var gateway = _deployments?.GatewayUrl ?? throw new InvalidOperationException("the gateway is not running");
        ITurbineClient client = job.Protocol == "grpc"
            ? new TurbineGrpcClient(GrpcAddress(gateway), bearerToken: job.Bearer)
            : new TurbineHttpClient(gateway, bearerToken: job.Bearer);
        return new BatchScorerLease(new RemoteScorer(client, job.Model, job.Version), new ClientOwner(client));
    }

    private Uri GrpcAddress(Uri http) => _deployments?.GatewayGrpcUrl ?? http;

    private void Finish(BatchJobEntry job, string state, string? error, BatchSummary? summary)
    {
        job.Update(v => v with
        {
            State = state,
            Error = error,
            Summary = summary,
            FinishedAt = _time.GetUtcNow(),
            EtaSeconds = null,
            RowsDone = summary?.RowsRead ?? v.RowsDone,
            RowsFailed = summary?.RowsFailed ?? v.RowsFailed,
            PartsCommitted = summary?.PartsCommitted ?? v.PartsCommitted,
            RowsPerSecond = summary?.RowsPerSecond ?? v.RowsPerSecond,
        });
        BatchJobLog.Finished(_logger, job.Id, state, error ?? "");
    }

    private sealed class Progress(BatchJobEntry job) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => job.Report(value);
    }

    private sealed class ClientOwner(ITurbineClient client) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
