#:package Parquet.Net@6.1.0
// Not part of the solution: run with `dotnet run bench/batch/resnet-tensors.cs -- OUT ROWS ROWGROUP` (bench/batch-resnet.sh copies it outside
// the repository first, so the repository's build settings do not apply to this one-file app).
using Parquet;
using Parquet.Schema;
// Usage: gen.cs OUT.parquet ROWS ROWGROUP: id + "image" (LIST<float> of 3*224*224, ImageNet-normalised random pixels, seeded)
var path = args[0]; var rows = int.Parse(args[1]); var group = int.Parse(args[2]);
const int N = 3 * 224 * 224;
var id = new DataField<long>("id");
var element = new DataField<float>("element");
var schema = new ParquetSchema(id, new ListField("image", element));
var random = new Random(1);
float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
await using var stream = File.Create(path);
await using var writer = await ParquetWriter.CreateAsync(schema, stream);
for (var start = 0; start < rows; start += group)
{
    var n = Math.Min(group, rows - start);
    using var g = writer.CreateRowGroup();
    await g.WriteAsync<long>(id, Enumerable.Range(start, n).Select(i => (long)i).ToArray(), null, null, default);
    var values = new float[n * N];
    for (var i = 0; i < values.Length; i++) { var c = i % N / (224 * 224); values[i] = ((float)random.Next(256) / 255f - mean[c]) / std[c]; }
    var repetitions = new int[values.Length];
    for (var i = 0; i < values.Length; i++) repetitions[i] = i % N == 0 ? 0 : 1;
    var definitions = new int[values.Length]; Array.Fill(definitions, 2);
    await g.WriteAllPartsAsync<float>(element, values, definitions, repetitions, default);
}
Console.WriteLine($"wrote {rows} rows of {N} floats to {path}");
