using System.Globalization;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace Turbine.Batch.Tests;

/// <summary>Inputs for the sample models, written as CSV, JSON Lines and Parquet with the same rows.</summary>
internal static class TestData
{
    /// <summary>Rows for <c>simple</c>: id, INPUT0 and INPUT1 (16 ints each), seeded.</summary>
    public static List<(long Id, int[] A, int[] B)> SimpleRows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => ((long)i + 1000,
            Enumerable.Range(0, 16).Select(_ => random.Next(-1000, 1000)).ToArray(),
            Enumerable.Range(0, 16).Select(_ => random.Next(-1000, 1000)).ToArray())).ToList();
    }

    public static void WriteSimpleCsv(string path, IEnumerable<(long Id, int[] A, int[] B)> rows)
    {
        var text = new StringBuilder("id,INPUT0,INPUT1\n");
        foreach (var (id, a, b) in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{id},\"[{string.Join(',', a)}]\",\"[{string.Join(',', b)}]\"\n");
        }

        File.WriteAllText(path, text.ToString());
    }

    public static void WriteSimpleJsonLines(string path, IEnumerable<(long Id, int[] A, int[] B)> rows) =>
        File.WriteAllLines(path, rows.Select(r => JsonSerializer.Serialize(new Dictionary<string, object> { ["id"] = r.Id, ["INPUT0"] = r.A, ["INPUT1"] = r.B })));

    public static async Task WriteSimpleParquetAsync(string path, IReadOnlyList<(long Id, int[] A, int[] B)> rows, int rowGroup)
    {
        var id = new DataField<long>("id");
        var a = new DataField<int>("element");
        var b = new DataField<int>("element");
        var schema = new ParquetSchema(id, new ListField("INPUT0", a), new ListField("INPUT1", b));
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream, null, false, CancellationToken.None);
        for (var start = 0; start < rows.Count; start += rowGroup)
        {
            var group = rows.Skip(start).Take(rowGroup).ToList();
            using var g = writer.CreateRowGroup();
            await g.WriteAsync<long>(id, group.Select(r => r.Id).ToArray(), null, null, CancellationToken.None);
            foreach (var (field, pick) in new[] { (a, (Func<(long, int[], int[]), int[]>)(r => r.Item2)), (b, r => r.Item3) })
            {
                var values = group.SelectMany(r => pick(r)).ToArray();
                var repetitions = group.SelectMany(r => pick(r).Select((_, i) => i == 0 ? 0 : 1)).ToArray();
                var definitions = values.Select(_ => 2).ToArray();
                await g.WriteAllPartsAsync<int>(field, values, definitions, repetitions, CancellationToken.None);
            }
        }
    }

    /// <summary>The JSON Lines output as id → (OUTPUT0, OUTPUT1).</summary>
    public static Dictionary<long, (int[] Sum, int[] Difference)> ReadSimpleJsonLines(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(
            e => e.GetProperty("id").ValueKind == JsonValueKind.String ? long.Parse(e.GetProperty("id").GetString()!, CultureInfo.InvariantCulture) : e.GetProperty("id").GetInt64(),
            e => (e.GetProperty("OUTPUT0").EnumerateArray().Select(x => x.GetInt32()).ToArray(), e.GetProperty("OUTPUT1").EnumerateArray().Select(x => x.GetInt32()).ToArray()));
}
