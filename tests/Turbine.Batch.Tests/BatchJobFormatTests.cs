using Turbine.Batch.Jobs;
using Turbine.Batch.Mapping;
using Turbine.Batch.Storage;
using Turbine.Batch.Tables;
using Turbine.Core;
using Turbine.Core.Tensors;

namespace Turbine.Batch.Tests;

public sealed class BatchJobFormatTests(BatchFixture fixture) : IClassFixture<BatchFixture>
{
    private static readonly LocalBatchStore Local = new();

    private static async Task WriteInputAsync(string path, IReadOnlyList<(long, int[], int[])> rows, int rowGroup)
    {
        switch (TableFormats.Resolve(null, path))
        {
            case TableFormat.Csv: TestData.WriteSimpleCsv(path, rows); break;
            case TableFormat.JsonLines: TestData.WriteSimpleJsonLines(path, rows); break;
            default: await TestData.WriteSimpleParquetAsync(path, rows, rowGroup); break;
        }
    }

    /// <summary>One row through the engine directly: the reference every batch output is compared with.</summary>
    private async Task<(int[] Sum, int[] Difference)> DirectAsync(int[] a, int[] b)
    {
        using var request = new InferenceRequest("simple");
        request.Inputs.Add(new InferenceTensor("INPUT0", TensorDataType.Int32, [1, 16], a.SelectMany(BitConverter.GetBytes).ToArray()));
        request.Inputs.Add(new InferenceTensor("INPUT1", TensorDataType.Int32, [1, 16], b.SelectMany(BitConverter.GetBytes).ToArray()));
        var result = await fixture.Engine.InferAsync(request, CancellationToken.None);
        using var response = result.Value!;
        int[] Read(string name) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(response.Outputs.Single(o => o.Name == name).Data.Span).ToArray();
        return (Read("OUTPUT0"), Read("OUTPUT1"));
    }

    [Theory]
    [InlineData("csv", "jsonl")]
    [InlineData("jsonl", "parquet")]
    [InlineData("parquet", "csv")]
    [InlineData("csv", "parquet")]
    [InlineData("parquet", "jsonl")]
    [InlineData("jsonl", "csv")]
    public async Task RunAsync_EveryFormatBothWays_OutputEqualsDirectInference(string from, string to)
    {
        using var folder = new TempFolder("turbine-batch");
        var rows = TestData.SimpleRows(230, seed: 7);
        var input = folder.File("in." + from);
        await WriteInputAsync(input, rows, rowGroup: 64);
        var output = folder.File("out." + to);
        var job = new BatchJob(new BatchJobOptions { Input = input, Output = output, PartRows = 50, IdColumn = "id", BatchSize = 5 }, Local, Local, fixture.Scorer("simple"));

        var summary = await job.RunAsync(null, CancellationToken.None);

        Assert.Equal("completed", summary.Status);
        Assert.Equal(230, summary.RowsScored);
        Assert.True(summary.Assembled);
        var written = await TableFiles.ReadAsync(output);
        Assert.Equal(rows.Select(r => r.Id), written.Select(w => TableFiles.Long(w["id"])));
        foreach (var (row, (id, a, b)) in written.Zip(rows))
        {
            var (sum, difference) = await DirectAsync(a, b);
            Assert.Equal(sum, TableFiles.Ints(row["OUTPUT0"]));
            Assert.Equal(difference, TableFiles.Ints(row["OUTPUT1"]));
        }

        Assert.Equal("", await File.ReadAllTextAsync(output + ".errors.jsonl"));
    }

    [Fact]
    public async Task RunAsync_ParquetInput_ReportsProgressAgainstTheKnownTotal()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = folder.File("in.parquet");
        await TestData.WriteSimpleParquetAsync(input, TestData.SimpleRows(200, seed: 2), rowGroup: 64);
        var reports = new List<Jobs.BatchProgress>();
        var job = new BatchJob(new BatchJobOptions { Input = input, Output = folder.File("out.jsonl") }, Local, Local, fixture.Scorer("simple"));

        await job.RunAsync(new Recorder(reports), CancellationToken.None);

        Assert.Equal([64L, 128, 192, 200], reports.Select(r => r.RowsDone));
        Assert.All(reports, r => Assert.Equal(200, r.RowsTotal));
        Assert.Equal([1, 2, 3, 4], reports.Select(r => r.PartsDone));
    }

    private sealed class Recorder(List<Jobs.BatchProgress> reports) : IProgress<Jobs.BatchProgress>
    {
        public void Report(Jobs.BatchProgress value) => reports.Add(value);
    }

    [Fact]
    public async Task RunAsync_RowsThatDoNotConvert_GoToTheErrorsFileWithRowNumberAndReason()
    {
        using var folder = new TempFolder("turbine-batch");
        var good = string.Join(',', Enumerable.Range(0, 16));
        var input = folder.File("in.csv");
        await File.WriteAllTextAsync(input,
            "id,INPUT0,INPUT1\n"
            + $"1,\"[{good}]\",\"[{good}]\"\n"
            + $"2,\"[{good},99]\",\"[{good}]\"\n"
            + $"3,\"[{good}]\",\"[1,2,x]\"\n"
            + $"4,\"[{good}]\"\n"
            + $"5,\"[{good}]\",\"[{good}]\"\n");
        var output = folder.File("out.jsonl");
        var job = new BatchJob(new BatchJobOptions { Input = input, Output = output, PartRows = 2, IdColumn = "id" }, Local, Local, fixture.Scorer("simple"));

        var summary = await job.RunAsync(null, CancellationToken.None);

        Assert.Equal(3, summary.RowsFailed);
        Assert.Equal(2, summary.RowsScored);
        Assert.Equal(["1", "5"], (await TableFiles.ReadAsync(output)).Select(r => (string)r["id"]!));
        var errors = (await File.ReadAllLinesAsync(output + ".errors.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([2L, 3L, 4L], errors.Select(e => e.GetProperty("row").GetInt64()));
        Assert.Equal("input 'INPUT0' needs [16] per row, got 17 values from 'INPUT0'", errors[0].GetProperty("error").GetString());
        Assert.Contains("is not a valid JSON array", errors[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("has 2 fields, the header has 3", errors[2].GetProperty("error").GetString());
    }

    [Fact]
    public async Task RunAsync_MoreErrorsThanMaxErrors_StopsTheJob()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = folder.File("in.csv");
        await File.WriteAllTextAsync(input, "INPUT0,INPUT1\n" + string.Concat(Enumerable.Repeat("oops,oops\n", 10)));
        var job = new BatchJob(new BatchJobOptions { Input = input, Output = folder.File("out.csv"), PartRows = 4, MaxErrors = 5 }, Local, Local, fixture.Scorer("simple"));

        var e = await Assert.ThrowsAsync<BatchJobException>(() => job.RunAsync(null, CancellationToken.None));

        Assert.Contains("--max-errors 5", e.Message, StringComparison.Ordinal);
        Assert.Contains(": column 'INPUT0' holds 'oops', not a JSON array of the 16 values input 'INPUT0' needs ([16])", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("out.csv")));
    }

    [Fact]
    public async Task RunAsync_NoColumnForAnInput_IsRefusedBeforeAnyWorkNamingInputAndColumns()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = folder.File("in.csv");
        await File.WriteAllTextAsync(input, "id,INPUT0,b\n1,2,3\n");
        var job = new BatchJob(new BatchJobOptions { Input = input, Output = folder.File("out.csv") }, Local, Local, fixture.Scorer("simple"));

        var e = await Assert.ThrowsAsync<BatchSchemaException>(() => job.RunAsync(null, CancellationToken.None));

        Assert.StartsWith("model input 'INPUT1' (INT32 [16]) has no column of that name in the input (columns: id, INPUT0, b)", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder.File("out.csv.parts")));
    }

    [Fact]
    public async Task RunAsync_StringColumnForANumericInput_IsRefusedNamingColumnAndInput()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = folder.File("in.jsonl");
        await File.WriteAllTextAsync(input, "{\"INPUT0\":\"abc\",\"INPUT1\":[1]}\n");
        var job = new BatchJob(new BatchJobOptions { Input = input, Output = folder.File("out.csv") }, Local, Local, fixture.Scorer("simple"));

        var e = await Assert.ThrowsAsync<BatchSchemaException>(() => job.RunAsync(null, CancellationToken.None));

        Assert.Equal("column 'INPUT0' holds strings but input 'INPUT0' is INT32; map a numeric column", e.Message);
    }

    [Fact]
    public async Task RunAsync_SeveralColumnsIntoOneTensorWithLabels_MatchesTheIrisClasses()
    {
        using var folder = new TempFolder("turbine-batch");
        using var resource = new StreamReader(typeof(Turbine.Samples.SampleRepository).Assembly.GetManifestResourceStream("Turbine.Samples.Data.iris.csv")!);
        var lines = (await resource.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var classes = lines[0].Split(',')[2..];
        var input = folder.File("iris.csv");
        await File.WriteAllLinesAsync(input, new[] { "sl,sw,pl,pw,species" }.Concat(lines[1..].Select(l =>
        {
            var f = l.Trim().Split(',');
            return string.Join(',', f[..4]) + "," + classes[int.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture)];
        })));
        var output = folder.File("out.jsonl");
        var job = new BatchJob(new BatchJobOptions
        {
            Input = input,
            Output = output,
            InputMap = new Dictionary<string, IReadOnlyList<string>> { ["input"] = ["sl", "sw", "pl", "pw"] },
            OutputColumns = [new("probabilities", "predicted")],
            KeepColumns = ["species"],
            Classification = 1,
        }, Local, Local, fixture.Scorer("iris"));

        await job.RunAsync(null, CancellationToken.None);

        var rows = await TableFiles.ReadAsync(output);
        Assert.Equal(150, rows.Count);
        // "score:index:label"; the sample model is trained well enough to get most of its own training set right.
        var correct = rows.Count(r => ((string)r["predicted"]!).Split(':')[2] == (string)r["species"]!);
        Assert.True(correct >= 135, $"{correct} of 150 correct");
    }

    [Fact]
    public async Task RunAsync_TopTwoClassesToParquet_WritesAListOfLabelStrings()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = folder.File("iris.jsonl");
        await File.WriteAllLinesAsync(input, ["{\"id\":7,\"input\":[5.1,3.5,1.4,0.2]}", "{\"id\":8,\"input\":[6.7,3.0,5.2,2.3]}"]);
        var output = folder.File("out.parquet");
        var job = new BatchJob(new BatchJobOptions { Input = input, Output = output, IdColumn = "id", Classification = 2 }, Local, Local, fixture.Scorer("iris"));

        await job.RunAsync(null, CancellationToken.None);

        var rows = await TableFiles.ReadAsync(output);
        Assert.Equal([7L, 8L], rows.Select(r => TableFiles.Long(r["id"])));
        var classes = rows.Select(r => ((object?[])r["probabilities"]!).Cast<string>().Select(c => c.Split(':')[2]).ToArray()).ToList();
        Assert.Equal("setosa", classes[0][0]);
        Assert.Equal("virginica", classes[1][0]);
        Assert.All(classes, c => Assert.Equal(2, c.Length));
    }

    [Fact]
    public async Task RunAsync_ParquetRowGroupLargerThanTheLimit_IsRefusedBeforeDecoding()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = folder.File("in.parquet");
        await TestData.WriteSimpleParquetAsync(input, TestData.SimpleRows(100, seed: 1), rowGroup: 100);
        var job = new BatchJob(new BatchJobOptions { Input = input, Output = folder.File("out.csv"), MaxPartRows = 50 }, Local, Local, fixture.Scorer("simple"));

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => job.RunAsync(null, CancellationToken.None));

        Assert.Equal("row group 0 has 100 rows, more than 50 (--max-part-rows); rewrite the file with smaller row groups", e.Message);
    }

    [Fact]
    public async Task RunAsync_StringColumnIntoBytesInput_RoundTripsTheText()
    {
        using var folder = new TempFolder("turbine-batch");
        var input = folder.File("in.jsonl");
        await File.WriteAllLinesAsync(input, ["{\"INPUT0\":[\"héllo\",\"a,b\"]}", "{\"INPUT0\":[\"x\"]}"]);
        var output = folder.File("out.csv");
        var job = new BatchJob(new BatchJobOptions { Input = input, Output = output }, Local, Local, fixture.Scorer("simple_identity"));

        await job.RunAsync(null, CancellationToken.None);

        var rows = await TableFiles.ReadAsync(output);
        Assert.Equal(["[\"héllo\",\"a,b\"]", "[\"x\"]"], rows.Select(r => (string)r["OUTPUT0"]!));
        Assert.Equal(["1", "2"], rows.Select(r => (string)r["row"]!));
    }
}
