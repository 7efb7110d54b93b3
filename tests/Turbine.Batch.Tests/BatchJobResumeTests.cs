using System.Text.Json;
using Turbine.Batch.Jobs;
using Turbine.Batch.Scoring;
using Turbine.Batch.Storage;

namespace Turbine.Batch.Tests;

public sealed class BatchJobResumeTests(BatchFixture fixture) : IClassFixture<BatchFixture>
{
    private static readonly LocalBatchStore Local = new();

    private BatchJob Job(string input, string output, IBatchScorer? scorer = null, bool resume = false, int shard = 0, int shards = 1, int retries = 3) =>
        new(new BatchJobOptions { Input = input, Output = output, PartRows = 40, IdColumn = "id", Resume = resume, ShardIndex = shard, ShardCount = shards, PartRetries = retries },
            Local, Local, scorer ?? fixture.Scorer("simple"));

    private static string Input(TempFolder folder, int rows = 300)
    {
        var input = folder.File("in.csv");
        TestData.WriteSimpleCsv(input, TestData.SimpleRows(rows, seed: 3));
        return input;
    }

    [Fact]
    public async Task RunAsync_StoppedAtAPartBoundaryThenResumed_WritesEveryRowOnce()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = Input(folder);
        await Job(input, folder.File("reference.jsonl")).RunAsync(null, CancellationToken.None);
        using var stop = new CancellationTokenSource();

        var first = await Job(input, folder.File("out.jsonl")).RunAsync(new Stop(stop, afterParts: 2), stop.Token);
        var assembledWhenStopped = File.Exists(folder.File("out.jsonl"));
        var second = await Job(input, folder.File("out.jsonl"), resume: true).RunAsync(null, CancellationToken.None);

        Assert.Equal("stopped", first.Status);
        Assert.InRange(first.PartsCommitted, 2, 3); // the part scored while part 2 was committing is committed too
        Assert.False(assembledWhenStopped);
        Assert.Equal("completed", second.Status);
        Assert.Equal(first.PartsCommitted, second.PartsSkipped);
        Assert.Equal(8, second.PartsSkipped + second.PartsCommitted);
        Assert.Equal(await File.ReadAllTextAsync(folder.File("reference.jsonl")), await File.ReadAllTextAsync(folder.File("out.jsonl")));
    }

    [Fact]
    public async Task RunAsync_ManifestFromAnEarlierRunWithoutResume_IsRefused()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = Input(folder, 50);
        await Job(input, folder.File("out.jsonl")).RunAsync(null, CancellationToken.None);

        var e = await Assert.ThrowsAsync<BatchJobException>(() => Job(input, folder.File("out.jsonl")).RunAsync(null, CancellationToken.None));

        Assert.Contains("pass --resume to continue it, or --overwrite to start over", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ResumeAfterTheInputChanged_IsRefused()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = Input(folder, 50);
        await Job(input, folder.File("out.jsonl")).RunAsync(null, CancellationToken.None);
        await File.AppendAllTextAsync(input, "9999,\"[1]\",\"[1]\"\n");

        var e = await Assert.ThrowsAsync<BatchJobException>(() => Job(input, folder.File("out.jsonl"), resume: true).RunAsync(null, CancellationToken.None));

        Assert.Contains("belongs to a different job", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ShardsThenMerge_EqualsOneRun()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = Input(folder);
        await Job(input, folder.File("reference.csv")).RunAsync(null, CancellationToken.None);
        var output = folder.File("sharded.csv");

        var summaries = new List<BatchSummary>();
        for (var shard = 0; shard < 3; shard++)
        {
            summaries.Add(await Job(input, output, shard: shard, shards: 3).RunAsync(null, CancellationToken.None));
            if (shard == 0)
            {
                var early = await Assert.ThrowsAsync<BatchJobException>(() => BatchAssembler.AssembleAsync(Local, output, output + ".errors.jsonl", Tables.TableFormat.Csv, CancellationToken.None));
                Assert.Equal("shards 1, 2 of 3 have not started: run them (--shard-index) before merging", early.Message);
            }
        }

        var rows = await BatchAssembler.AssembleAsync(Local, output, output + ".errors.jsonl", Tables.TableFormat.Csv, CancellationToken.None);

        Assert.Equal([3, 3, 2], summaries.Select(s => s.PartsCommitted));
        Assert.All(summaries, s => Assert.False(s.Assembled));
        Assert.Equal(300, rows);
        Assert.Equal(await File.ReadAllTextAsync(folder.File("reference.csv")), await File.ReadAllTextAsync(output));
    }

    [Fact]
    public async Task RunAsync_RequestsFailingFewerTimesThanTheRetries_Succeeds()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = Input(folder, 100);
        var flaky = new FlakyScorer(fixture.Scorer("simple"), failures: 2);

        var summary = await Job(input, folder.File("out.jsonl"), flaky, retries: 3).RunAsync(null, CancellationToken.None);

        Assert.Equal(100, summary.RowsScored);
        Assert.Equal(100, TestData.ReadSimpleJsonLines(folder.File("out.jsonl")).Count);
    }

    [Fact]
    public async Task RunAsync_APartFailingPastItsRetries_FailsTheJobAndKeepsCommittedParts()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = Input(folder, 100);
        var broken = new FlakyScorer(fixture.Scorer("simple"), failures: int.MaxValue, failAfterCalls: 5);

        var e = await Assert.ThrowsAsync<BatchJobException>(() => Job(input, folder.File("out.jsonl"), broken, retries: 1).RunAsync(null, CancellationToken.None));

        Assert.Contains("failed 2 times: model unloaded", e.Message, StringComparison.Ordinal);
        var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder.File("out.jsonl.parts"), "manifest-00000-of-00001.json")));
        Assert.Equal(["0"], manifest.RootElement.GetProperty("parts").EnumerateObject().Select(p => p.Name));
    }

    private sealed class Stop(CancellationTokenSource stop, int afterParts) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value)
        {
            if (value.PartsDone >= afterParts)
            {
                stop.Cancel();
            }
        }
    }

    /// <summary>Fails <c>failures</c> requests (after <c>failAfterCalls</c> good ones) as a model unloaded mid-run would.</summary>
    private sealed class FlakyScorer(IBatchScorer inner, int failures, int failAfterCalls = 0) : IBatchScorer
    {
        private int _calls;
        private int _failed;

        public Task<ModelSignature> GetSignatureAsync(CancellationToken cancellationToken) => inner.GetSignatureAsync(cancellationToken);

        public Task<IReadOnlyList<BatchTensor>> InferAsync(IReadOnlyList<BatchTensor> inputs, IReadOnlyList<string> outputs, int classification, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) > failAfterCalls && Interlocked.Increment(ref _failed) <= failures)
            {
                throw new BatchScoringException("model unloaded");
            }

            return inner.InferAsync(inputs, outputs, classification, cancellationToken);
        }
    }
}
