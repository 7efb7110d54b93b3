using System.Text;
using System.Text.RegularExpressions;
using Turbine.Batch.Jobs;
using Turbine.Batch.Scoring;
using Turbine.Batch.Storage;
using Turbine.Client;

namespace Turbine.Batch.Tests;

public sealed partial class BatchS3AndRemoteTests(BatchFixture fixture) : IClassFixture<BatchFixture>
{
    private static readonly LocalBatchStore Local = new();

    [Fact]
    public async Task RunAsync_S3InputAndOutput_AgainstS3rver_EqualsALocalRun()
    {
        using var folder = new TempFolder("turbine-batch-s3");
        await using var server = await S3rverProcess.StartAsync("data", folder.File("s3"));
        using var s3 = new S3BatchStore(server.Endpoint, "S3RVER", "S3RVER");
        var rows = TestData.SimpleRows(200, seed: 11);
        var local = folder.File("in.parquet");
        await TestData.WriteSimpleParquetAsync(local, rows, rowGroup: 64);
        await s3.WriteAsync("s3://data/inputs/in.parquet", async s => { await using var f = File.OpenRead(local); await f.CopyToAsync(s); }, CancellationToken.None);
        await new BatchJob(new BatchJobOptions { Input = local, Output = folder.File("reference.csv"), IdColumn = "id" }, Local, Local, fixture.Scorer("simple"))
            .RunAsync(null, CancellationToken.None);

        var summary = await new BatchJob(new BatchJobOptions { Input = "s3://data/inputs/in.parquet", Output = "s3://data/scored/out.csv", IdColumn = "id" }, s3, s3, fixture.Scorer("simple"))
            .RunAsync(null, CancellationToken.None);

        Assert.Equal(4, summary.PartsCommitted); // one part per row group
        using var written = new MemoryStream();
        await s3.CopyToAsync("s3://data/scored/out.csv", written, CancellationToken.None);
        Assert.Equal(await File.ReadAllTextAsync(folder.File("reference.csv")), Encoding.UTF8.GetString(written.ToArray()));
        Assert.Contains("manifest-00000-of-00001.json", await s3.ListAsync("s3://data/scored/out.csv.parts", CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_RemoteServerOverHttpAndGrpc_EqualsInProcess()
    {
        using var folder = new TempFolder("turbine-batch-remote");
        var input = folder.File("in.jsonl");
        TestData.WriteSimpleJsonLines(input, TestData.SimpleRows(120, seed: 5));
        await new BatchJob(new BatchJobOptions { Input = input, Output = folder.File("reference.jsonl"), IdColumn = "id", PartRows = 50 }, Local, Local, fixture.Scorer("simple"))
            .RunAsync(null, CancellationToken.None);
        await using var server = TurbineProcess.Start(["serve", "--model-repository", fixture.Repository, "--host", "127.0.0.1", "--http-port", "0", "--grpc-port", "0"]);
        var http = await server.WaitForReadyAsync(TimeSpan.FromSeconds(60));

        using var httpClient = new TurbineHttpClient(http);
        var viaHttp = await new BatchJob(new BatchJobOptions { Input = input, Output = folder.File("http.jsonl"), IdColumn = "id", PartRows = 50, Concurrency = 4 },
            Local, Local, new RemoteScorer(httpClient, "simple")).RunAsync(null, CancellationToken.None);
        using var grpcClient = new TurbineGrpcClient(server.GrpcAddress!);
        await new BatchJob(new BatchJobOptions { Input = input, Output = folder.File("grpc.jsonl"), IdColumn = "id", PartRows = 50, Concurrency = 4 },
            Local, Local, new RemoteScorer(grpcClient, "simple")).RunAsync(null, CancellationToken.None);

        var reference = await File.ReadAllTextAsync(folder.File("reference.jsonl"));
        Assert.Equal(reference, await File.ReadAllTextAsync(folder.File("http.jsonl")));
        Assert.Equal(reference, await File.ReadAllTextAsync(folder.File("grpc.jsonl")));
        Assert.Equal(17, viaHttp.Requests); // parts of 50, 50, 20 rows in requests of at most max_batch_size 8: 7 + 7 + 3
    }

    [Fact]
    public async Task Cli_SchemaMismatch_ExitsTwoNamingColumnAndInput()
    {
        using var folder = new TempFolder("turbine-batch-cli");
        var input = folder.File("in.csv");
        await File.WriteAllTextAsync(input, "x,y\n1,2\n");

        var (code, output) = await TurbineProcess.RunAsync("batch", "run", "--model", "simple", "--model-repository", fixture.Repository,
            "--input", input, "--output", folder.File("out.csv"), "--map", "INPUT0=x,y,z");

        Assert.Equal(2, code);
        Assert.Contains("turbine: error: column 'z' mapped to input 'INPUT0' is not in the input (columns: x, y)", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder.File("out.csv.parts")));
    }

    [Fact]
    public async Task Cli_ShardIndexFromJobCompletionIndex_ThenMerge_WritesEveryRow()
    {
        using var folder = new TempFolder("turbine-batch-cli");
        var input = folder.File("in.csv");
        TestData.WriteSimpleCsv(input, TestData.SimpleRows(90, seed: 9));
        var output = folder.File("out.parquet");
        for (var shard = 0; shard < 2; shard++)
        {
            var (code, log) = await TurbineProcess.RunExecutableAsync("dotnet",
                [Path.Combine(AppContext.BaseDirectory, "turbine.dll"), "batch", "run", "--model", "simple", "--model-repository", fixture.Repository,
                 "--input", input, "--output", output, "--part-rows", "20", "--id-column", "id", "--progress", "log"],
                TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = $"{shard}", ["TURBINE_BATCH_SHARD_COUNT"] = "2" });
            Assert.True(code == 0, log);
            Assert.Matches(ShardLine(), log);
        }

        var (mergeCode, mergeLog) = await TurbineProcess.RunAsync("batch", "merge", "--output", output);

        Assert.True(mergeCode == 0, mergeLog);
        Assert.Contains("merged 90 rows", mergeLog, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1000, 90).Select(i => (long)i), (await TableFiles.ReadAsync(output)).Select(r => TableFiles.Long(r["id"])));
    }

    [GeneratedRegex(@"shard \d of 2 done; assemble with 'turbine batch merge")]
    private static partial Regex ShardLine();
}
