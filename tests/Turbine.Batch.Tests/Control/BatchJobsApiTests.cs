using System.Diagnostics;
using System.Net;
using Turbine.Batch.Jobs;
using Turbine.Batch.Storage;
using Turbine.Control.Api;
using Turbine.Control.Batch;

namespace Turbine.Batch.Tests.Control;

/// <summary>The control plane's batch job API on a real control host: submit, progress, cancel and resume, auth, confinement, bounds.</summary>
public sealed class BatchJobsApiTests(BatchFixture fixture) : IClassFixture<BatchFixture>
{
    private static readonly LocalBatchStore Local = new();

    /// <summary>The output a direct (CLI-equivalent) run writes for the same input, for comparison.</summary>
    private async Task<string> ReferenceAsync(string input, string output, int partRows = 10_000)
    {
        await new BatchJob(new BatchJobOptions { Input = input, Output = output, IdColumn = "id", PartRows = partRows }, Local, Local, fixture.Scorer("simple"))
            .RunAsync(null, CancellationToken.None);
        return await File.ReadAllTextAsync(output);
    }

    [Fact]
    public async Task Submit_InProcessModel_CompletesWithProgressAndTheSameOutputAsARun()
    {
        await using var control = await BatchControlHarness.StartAsync(fixture.Repository);
        await TestData.WriteSimpleParquetAsync(control.File("in.parquet"), TestData.SimpleRows(300, seed: 11), rowGroup: 100);
        using var writer = control.Client();

        var submitted = await writer.SubmitBatchJobAsync(new BatchJobRequest { Model = "simple", Input = "in.parquet", Output = "out/scored.jsonl", IdColumn = "id" });
        var done = await control.WaitAsync(submitted.Id);

        Assert.Equal("queued", submitted.State);
        Assert.Equal(("completed", 300L, 300L, 3), (done.State, done.RowsDone, done.RowsTotal ?? -1, done.PartsCommitted));
        Assert.Equal("ci-writer", done.Owner);
        Assert.Null(done.Error);
        Assert.Equal(300, done.Summary!.RowsScored);
        Assert.Equal("out/scored.jsonl", done.Summary.Output);
        Assert.True(done.RowsPerSecond > 0);
        using var folder = new TempFolder("turbine-batch-ref");
        Assert.Equal(await ReferenceAsync(control.File("in.parquet"), folder.File("ref.jsonl")), await File.ReadAllTextAsync(control.File("out/scored.jsonl")));

        using var reader = control.Client(BatchControlHarness.ReaderSecret);
        Assert.Equal([submitted.Id], (await reader.ListBatchJobsAsync()).Jobs.Select(j => j.Id));
        Assert.Null(await writer.CancelBatchJobAsync(submitted.Id)); // a finished job is forgotten
        var gone = await Assert.ThrowsAsync<ControlClientException>(() => reader.GetBatchJobAsync(submitted.Id));
        Assert.Equal(404, gone.StatusCode);
    }

    [Fact]
    public async Task Api_TokensScopes_ReaderListsWriterSubmitsAnonymousIsRefused()
    {
        await using var control = await BatchControlHarness.StartAsync(fixture.Repository);
        TestData.WriteSimpleCsv(control.File("in.csv"), TestData.SimpleRows(10, seed: 1));
        var body = new { model = "simple", input = "in.csv", output = "out.csv" };
        using var anonymous = control.Http(null);
        using var reader = control.Http(BatchControlHarness.ReaderSecret);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/v1/batch/jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await BatchControlHarness.PostAsync(anonymous, body)).StatusCode);
        var refused = await BatchControlHarness.PostAsync(reader, body);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("needs a write token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("api/v1/batch/jobs")).StatusCode);

        using var writer = control.Http(BatchControlHarness.WriterSecret);
        var accepted = await BatchControlHarness.PostAsync(writer, body);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = accepted.Headers.Location!.OriginalString.Split('/')[^1];
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync($"api/v1/batch/jobs/{id}")).StatusCode);
        Assert.Equal("completed", (await control.WaitAsync(id)).State);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("api/v1/batch/jobs/b-000000000000")).StatusCode);
    }

    [Theory]
    [InlineData("/etc/passwd", "outside the batch folder")]
    [InlineData("../../../../etc/passwd", "outside the batch folder")]
    [InlineData("link.csv", "symbolic link")]
    [InlineData("linked-folder/passwd", "symbolic link")]
    [InlineData("s3://bucket/in.csv", "s3:// paths are not allowed")]
    public async Task Submit_PathOutsideTheFolder_IsRefusedBeforeAnyWork(string input, string expected)
    {
        await using var control = await BatchControlHarness.StartAsync(fixture.Repository);
        File.CreateSymbolicLink(control.File("link.csv"), "/etc/passwd");
        Directory.CreateSymbolicLink(control.File("linked-folder"), "/etc");
        using var writer = control.Client();

        var e = await Assert.ThrowsAsync<ControlClientException>(() => writer.SubmitBatchJobAsync(new BatchJobRequest { Model = "simple", Input = input, Output = "out.csv" }));

        Assert.Equal(400, e.StatusCode);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, control.Opener.Opened);
        var outside = await Assert.ThrowsAsync<ControlClientException>(() => writer.SubmitBatchJobAsync(new BatchJobRequest { Model = "simple", Input = "in.csv", Output = "../escape.csv" }));
        Assert.Contains("outside the batch folder", outside.Message, StringComparison.Ordinal);
        var overInput = await Assert.ThrowsAsync<ControlClientException>(() => writer.SubmitBatchJobAsync(new BatchJobRequest { Model = "simple", Input = "in.csv", Output = "out.csv", Errors = "in.csv" }));
        Assert.Contains("three different files", overInput.Message, StringComparison.Ordinal);
        var folderItself = await Assert.ThrowsAsync<ControlClientException>(() => writer.SubmitBatchJobAsync(new BatchJobRequest { Model = "simple", Input = "in.csv", Output = "." }));
        Assert.Contains("names the batch folder itself", folderItself.Message, StringComparison.Ordinal);
        Assert.Empty((await writer.ListBatchJobsAsync()).Jobs);
    }

    [Fact]
    public async Task Submit_FifoInput_FailsWithAClearErrorAndTheControlPlaneKeepsServing()
    {
        await using var control = await BatchControlHarness.StartAsync(fixture.Repository);
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [control.File("in.csv")]) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync();
        }

        using var writer = control.Client();
        var job = await control.WaitAsync((await writer.SubmitBatchJobAsync(new BatchJobRequest { Model = "simple", Input = "in.csv", Output = "out.csv" })).Id);

        Assert.Equal("failed", job.State);
        Assert.Contains("is a FIFO, socket or device, not a regular file", job.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(control.Folder, job.Error, StringComparison.Ordinal);
        TestData.WriteSimpleCsv(control.File("ok.csv"), TestData.SimpleRows(5, seed: 2));
        Assert.Equal("completed", (await control.WaitAsync((await writer.SubmitBatchJobAsync(new BatchJobRequest { Model = "simple", Input = "ok.csv", Output = "ok.out.csv" })).Id)).State);
    }

    [Fact]
    public async Task Submit_SchemaThatDoesNotFit_FailsNamingTheColumn()
    {
        await using var control = await BatchControlHarness.StartAsync(fixture.Repository);
        await File.WriteAllTextAsync(control.File("in.csv"), "id,INPUT0\n1,\"[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]\"\n");
        using var writer = control.Client();

        var job = await control.WaitAsync((await writer.SubmitBatchJobAsync(new BatchJobRequest { Model = "simple", Input = "in.csv", Output = "out.csv" })).Id);

        Assert.Equal("failed", job.State);
        Assert.StartsWith("the input does not fit the model: model input 'INPUT1'", job.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(control.File("out.csv")));
    }

    [Fact]
    public async Task Delete_RunningJob_StopsAtAPartBoundaryAndResumeCompletesTheSameOutput()
    {
        await using var control = await BatchControlHarness.StartAsync(fixture.Repository);
        TestData.WriteSimpleJsonLines(control.File("in.jsonl"), TestData.SimpleRows(400, seed: 9));
        using var writer = control.Client();
        control.Opener.Hold();
        var request = new BatchJobRequest { Model = "simple", Input = "in.jsonl", Output = "out.jsonl", IdColumn = "id", PartRows = 100 };

        var job = await writer.SubmitBatchJobAsync(request);
        await control.Opener.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var cancelling = await writer.CancelBatchJobAsync(job.Id);
        control.Opener.Release();
        var stopped = await control.WaitAsync(job.Id);

        Assert.Equal("cancelling", cancelling!.State);
        Assert.Equal(("cancelled", 1, 100L), (stopped.State, stopped.PartsCommitted, stopped.RowsDone));
        Assert.False(File.Exists(control.File("out.jsonl")));
        var resumed = await control.WaitAsync((await writer.SubmitBatchJobAsync(request with { Resume = true })).Id);
        Assert.Equal(("completed", 3, 1), (resumed.State, resumed.Summary!.PartsCommitted, resumed.Summary.PartsSkipped));
        using var folder = new TempFolder("turbine-batch-ref");
        Assert.Equal(await ReferenceAsync(control.File("in.jsonl"), folder.File("ref.jsonl"), 100), await File.ReadAllTextAsync(control.File("out.jsonl")));
    }

    [Fact]
    public async Task Submit_BeyondRunningAndQueuedLimits_Gets429AndAQueuedJobCancelsAtOnce()
    {
        await using var control = await BatchControlHarness.StartAsync(fixture.Repository, maxJobs: 1, maxQueued: 1);
        TestData.WriteSimpleCsv(control.File("in.csv"), TestData.SimpleRows(20, seed: 3));
        using var writer = control.Client();
        control.Opener.Hold();

        var running = await writer.SubmitBatchJobAsync(new BatchJobRequest { Model = "simple", Input = "in.csv", Output = "a.csv" });
        await control.Opener.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var queued = await writer.SubmitBatchJobAsync(new BatchJobRequest { Model = "simple", Input = "in.csv", Output = "b.csv" });
        var third = await Assert.ThrowsAsync<ControlClientException>(() => writer.SubmitBatchJobAsync(new BatchJobRequest { Model = "simple", Input = "in.csv", Output = "c.csv" }));
        var sameOutput = await Assert.ThrowsAsync<ControlClientException>(() => writer.SubmitBatchJobAsync(new BatchJobRequest { Model = "simple", Input = "in.csv", Output = "a.csv" }));
        Assert.Equal("queued", (await writer.GetBatchJobAsync(queued.Id)).State);
        await writer.CancelBatchJobAsync(queued.Id);
        var cancelled = await control.WaitAsync(queued.Id);
        control.Opener.Release();

        Assert.Equal(429, third.StatusCode);
        Assert.Contains("at most 1 running and 1 queued", third.Message, StringComparison.Ordinal);
        Assert.Equal(409, sameOutput.StatusCode);
        Assert.Equal(("cancelled", 0L), (cancelled.State, cancelled.RowsDone));
        Assert.Equal("completed", (await control.WaitAsync(running.Id)).State);
        Assert.Equal(1, control.Opener.Opened); // the cancelled job never loaded its model
    }

    [Fact]
    public async Task Submit_Deployment_ScoresThroughItsEndpointLikeInProcess()
    {
        await using var server = TurbineProcess.Start(["serve", "--model-repository", fixture.Repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0"]);
        var http = await server.WaitForReadyAsync(TimeSpan.FromSeconds(60));
        await using var control = await BatchControlHarness.StartAsync(fixture.Repository, deployments: new ServerDeployments("simple-prod", http, ["simple"]));
        TestData.WriteSimpleJsonLines(control.File("in.jsonl"), TestData.SimpleRows(120, seed: 4));
        using var writer = control.Client();

        var job = await control.WaitAsync((await writer.SubmitBatchJobAsync(new BatchJobRequest { Deployment = "simple-prod", Input = "in.jsonl", Output = "out.jsonl", IdColumn = "id", PartRows = 50 })).Id);
        var unknown = await Assert.ThrowsAsync<ControlClientException>(() => writer.SubmitBatchJobAsync(new BatchJobRequest { Deployment = "nope", Input = "in.jsonl", Output = "x.jsonl" }));

        Assert.Equal(("completed", "simple", "simple-prod"), (job.State, job.Model, job.Deployment));
        Assert.Equal(0, control.Opener.Opened);
        Assert.Equal(17, job.Summary!.Requests); // 50 + 50 + 20 rows in requests of at most max_batch_size 8, over HTTP
        using var folder = new TempFolder("turbine-batch-ref");
        Assert.Equal(await ReferenceAsync(control.File("in.jsonl"), folder.File("ref.jsonl"), 50), await File.ReadAllTextAsync(control.File("out.jsonl")));
        Assert.Equal(400, unknown.StatusCode);
        Assert.Contains("deployment 'nope' serves no model", unknown.Message, StringComparison.Ordinal);
    }
}
