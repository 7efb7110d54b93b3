using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Turbine.Batch.Jobs;
using Turbine.Batch.Storage;

namespace Turbine.Batch.Tests;

/// <summary>Parquet float/double list columns take the typed path (no boxing per element) and give what the general path gives.</summary>
public sealed class BatchTypedListTests(BatchFixture fixture) : IClassFixture<BatchFixture>
{
    private static readonly LocalBatchStore Local = new();

    private static async Task WriteParquetAsync<T>(string path, IReadOnlyList<double[]> rows, Func<double, T> convert, bool withNull)
        where T : struct
    {
        var id = new DataField<long>("id");
        var element = new DataField<T>("element");
        var schema = new ParquetSchema(id, new ListField("features", element));
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream, null, false, CancellationToken.None);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<long>(id, Enumerable.Range(1, rows.Count + (withNull ? 1 : 0)).Select(i => (long)i).ToArray(), null, null, CancellationToken.None);
        var values = rows.SelectMany(r => r.Select(convert)).ToList();
        var definitions = rows.SelectMany(r => r.Select(_ => 2)).ToList();
        var repetitions = rows.SelectMany(r => r.Select((_, i) => i == 0 ? 0 : 1)).ToList();
        if (withNull)
        {
            definitions.Add(0); // one null list: the general path must take the column
            repetitions.Add(0);
        }

        await group.WriteAllPartsAsync<T>(element, values.ToArray(), definitions.ToArray(), repetitions.ToArray(), CancellationToken.None);
    }

    [Theory]
    [InlineData("float", false)]
    [InlineData("double", false)]
    [InlineData("float", true)]
    public async Task RunAsync_ParquetFloatListColumn_ScoresAndKeepsLikeTheSameRowsFromJsonLines(string type, bool withNull)
    {
        using var folder = new TempFolder("turbine-batch-typed");
        var random = new Random(3);
        var rows = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 4).Select(_ => Math.Round(random.NextDouble() * 8, 2)).ToArray()).ToList();
        var parquet = folder.File("in.parquet");
        if (type == "float")
        {
            await WriteParquetAsync(parquet, rows, v => (float)v, withNull);
        }
        else
        {
            await WriteParquetAsync(parquet, rows, v => v, withNull);
        }

        var jsonl = folder.File("in.jsonl");
        await File.WriteAllLinesAsync(jsonl, rows.Select((r, i) => JsonSerializer.Serialize(new { id = i + 1, features = r.Select(v => type == "float" ? (double)(float)v : v) }))
            .Concat(withNull ? [JsonSerializer.Serialize(new { id = rows.Count + 1, features = (double[]?)null })] : []));
        BatchJobOptions Options(string input, string output) => new()
        {
            Input = input, Output = output, KeepColumns = ["id", "features"], InputMap = new Dictionary<string, IReadOnlyList<string>> { ["input"] = ["features"] },
        };

        var typed = await new BatchJob(Options(parquet, folder.File("typed.jsonl")), Local, Local, fixture.Scorer("iris")).RunAsync(null, CancellationToken.None);
        await new BatchJob(Options(jsonl, folder.File("general.jsonl")), Local, Local, fixture.Scorer("iris")).RunAsync(null, CancellationToken.None);
        await new BatchJob(Options(parquet, folder.File("typed.parquet")), Local, Local, fixture.Scorer("iris")).RunAsync(null, CancellationToken.None);

        Assert.Equal(40, typed.RowsScored);
        Assert.Equal(withNull ? 1 : 0, typed.RowsFailed);
        var expected = await File.ReadAllTextAsync(folder.File("general.jsonl"));
        Assert.Equal(expected, await File.ReadAllTextAsync(folder.File("typed.jsonl")));
        var fromParquet = await TableFiles.ReadAsync(folder.File("typed.parquet"));
        Assert.Equal(rows.Select(r => r.Select(v => type == "float" ? (double)(float)v : v)), fromParquet.Select(w => ((object?[])Tables.JsonValues.Boxed(w["features"])!).Select(v => Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture))));
    }
}
