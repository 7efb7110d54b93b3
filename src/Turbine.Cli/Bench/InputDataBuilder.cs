using System.Globalization;
using System.Text.Json;
using Turbine.Client;

namespace Turbine.Cli.Bench;

/// <summary>
/// Builds the inputs of a benchmark once from the model's metadata: datatypes from the metadata, the batch dimension
/// from the batch size (when the model batches), variable dims from <c>--shape</c>, and values random (seeded, valid
/// for the datatype), zero, or from a JSON file of flat arrays.
/// </summary>
internal static class InputDataBuilder
{
    /// <summary>Builds one InferInput per model input.</summary>
    /// <param name="inputs">The model's inputs from its metadata.</param>
    /// <param name="maxBatchSize">The model's max_batch_size; 0 means the model does not batch (no batch dim in metadata shapes).</param>
    /// <param name="batchSize">Items per request (the batch dim added when the model batches).</param>
    /// <param name="shapes">--shape values: input name → dims without the batch dim.</param>
    /// <param name="kind">Where the values come from (--input-data).</param>
    /// <param name="random">The source of random values.</param>
    /// <param name="fileValues">For <see cref="InputDataKind.File"/>: input name → flat values.</param>
    /// <param name="binary">Send the tensors as binary data rather than JSON.</param>
    public static IReadOnlyList<InferInput> Build(
        IReadOnlyList<TensorMetadataResult> inputs,
        int maxBatchSize,
        int batchSize,
        IReadOnlyDictionary<string, long[]> shapes,
        InputDataKind kind,
        Random random,
        IReadOnlyDictionary<string, JsonElement>? fileValues,
        bool binary)
    {
        if (batchSize < 1)
        {
            throw new ArgumentException($"--batch-size {batchSize}: expected a positive integer");
        }

        if (maxBatchSize == 0 && batchSize > 1)
        {
            throw new ArgumentException($"--batch-size {batchSize}: the model does not batch (max_batch_size 0); use --batch-size 1");
        }

        if (maxBatchSize > 0 && batchSize > maxBatchSize)
        {
            throw new ArgumentException($"--batch-size {batchSize}: the model's max_batch_size is {maxBatchSize}");
        }

        foreach (var name in shapes.Keys.Where(n => inputs.All(i => i.Name != n)))
        {
            throw new ArgumentException($"--shape {name}: the model has no input '{name}'; inputs are {string.Join(", ", inputs.Select(i => i.Name))}");
        }

        var result = new List<InferInput>();
        foreach (var meta in inputs)
        {
            var itemShape = ItemShape(meta, maxBatchSize, shapes);
            var shape = maxBatchSize > 0 ? [batchSize, .. itemShape] : itemShape;
            var input = new InferInput(meta.Name, shape, meta.Datatype) { Binary = binary };
            var count = shape.Aggregate(1L, (a, d) => checked(a * d));
            if (kind == InputDataKind.File)
            {
                SetFromFile(input, meta, count, count / batchSize, fileValues);
            }
            else
            {
                SetGenerated(input, count, kind == InputDataKind.Random ? random : null);
            }

            result.Add(input);
        }

        return result;
    }

    /// <summary>Parses a <c>--shape NAME:d1,d2,...</c> value (dims without the batch dim).</summary>
    public static (string Name, long[] Dims) ParseShape(string text)
    {
        var colon = text.LastIndexOf(':');
        var expected = $"--shape '{text}': expected NAME:d1,d2,... with positive dims (without the batch dim), e.g. INPUT0:16";
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new ArgumentException(expected);
        }

        var dims = new List<long>();
        foreach (var part in text[(colon + 1)..].Split(','))
        {
            if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var d) || d <= 0)
            {
                throw new ArgumentException(expected);
            }

            dims.Add(d);
        }

        return (text[..colon], [.. dims]);
    }

    private static long[] ItemShape(TensorMetadataResult meta, int maxBatchSize, IReadOnlyDictionary<string, long[]> shapes)
    {
        var modelDims = maxBatchSize > 0 && meta.Shape.Length > 0 ? meta.Shape[1..] : meta.Shape;
        if (shapes.TryGetValue(meta.Name, out var given))
        {
            var fits = given.Length == modelDims.Length && given.Zip(modelDims).All(p => p.Second == -1 || p.First == p.Second);
            if (!fits)
            {
                throw new ArgumentException(
                    $"--shape {meta.Name}:{string.Join(',', given)} does not fit the model's shape [{string.Join(',', modelDims)}] (without the batch dim)");
            }

            return given;
        }

        if (modelDims.Any(d => d < 0))
        {
            throw new ArgumentException(
                $"input '{meta.Name}' has variable dims [{string.Join(',', modelDims)}] (without the batch dim); give them with --shape {meta.Name}:d1,d2,...");
        }

        return modelDims;
    }

    private static void SetGenerated(InferInput input, long count, Random? random)
    {
        var values = Generate(input.Name, input.Datatype, checked((int)count), random);
        if (values is string[] strings)
        {
            input.SetStrings(strings);
            return;
        }

        // Dispatch on the datatype, not the array type: the runtime lets an int[] pass as a uint[] (and so on).
        switch (input.Datatype)
        {
            case "BOOL": input.SetData((bool[])values); break;
            case "UINT8": input.SetData((byte[])values); break;
            case "INT8": input.SetData((sbyte[])values); break;
            case "UINT16" or "BF16": input.SetData((ushort[])values); break;
            case "INT16": input.SetData((short[])values); break;
            case "UINT32": input.SetData((uint[])values); break;
            case "INT32": input.SetData((int[])values); break;
            case "UINT64": input.SetData((ulong[])values); break;
            case "INT64": input.SetData((long[])values); break;
            case "FP16": input.SetData((Half[])values); break;
            case "FP32": input.SetData((float[])values); break;
            default: input.SetData((double[])values); break;
        }
    }

    /// <summary>
    /// <paramref name="n"/> values of <paramref name="datatype"/> as a typed array (BF16 as ushort bits, BYTES as
    /// strings): zeros ("0" for BYTES) without <paramref name="random"/>, else random values valid for the type and
    /// small enough that sums and products stay in range: integers in [-50, 50) (unsigned [0, 100)), floats in
    /// [0, 1), BOOL 0/1, BYTES short decimal strings ("0" to "999").
    /// </summary>
    public static Array Generate(string name, string datatype, int n, Random? random) => datatype switch
    {
        "BOOL" => Make(n, random, r => r.Next(2) == 1),
        "UINT8" => Make(n, random, r => (byte)r.Next(100)),
        "INT8" => Make(n, random, r => (sbyte)r.Next(-50, 50)),
        "UINT16" => Make(n, random, r => (ushort)r.Next(100)),
        "INT16" => Make(n, random, r => (short)r.Next(-50, 50)),
        "UINT32" => Make(n, random, r => (uint)r.Next(100)),
        "INT32" => Make(n, random, r => r.Next(-50, 50)),
        "UINT64" => Make(n, random, r => (ulong)r.Next(100)),
        "INT64" => Make(n, random, r => (long)r.Next(-50, 50)),
        "FP16" => Make(n, random, r => (Half)r.NextSingle()),
        "FP32" => Make(n, random, r => r.NextSingle()),
        "FP64" => Make(n, random, r => r.NextDouble()),
        "BF16" => Make(n, random, r => Bf16(r.NextSingle())),
        "BYTES" => Make(n, random, r => r.Next(1000).ToString(CultureInfo.InvariantCulture), "0"),
        _ => throw new ArgumentException($"input '{name}': datatype {datatype} is not supported by 'turbine bench'"),
    };

    private static T[] Make<T>(int n, Random? random, Func<Random, T> next, T zero = default!)
    {
        var values = new T[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = random is null ? zero : next(random);
        }

        return values;
    }

    private static ushort Bf16(float value) => (ushort)(BitConverter.SingleToUInt32Bits(value) >> 16);

    private static void SetFromFile(InferInput input, TensorMetadataResult meta, long count, long perItem, IReadOnlyDictionary<string, JsonElement>? file)
    {
        if (file is null || !file.TryGetValue(meta.Name, out var element))
        {
            throw new ArgumentException($"--input-data file has no values for input '{meta.Name}'; expected {{\"{meta.Name}\":[...], ...}}");
        }

        if (element.ValueKind != JsonValueKind.Array || element.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.Array))
        {
            throw new ArgumentException($"--input-data input '{meta.Name}': expected a flat JSON array of values");
        }

        var values = element.EnumerateArray().ToList();
        if (values.Count != count && values.Count != perItem)
        {
            throw new ArgumentException(
                $"--input-data input '{meta.Name}': shape {FormatShape(input.Shape)} needs {count} values (or {perItem} for one batch item, repeated), got {values.Count}");
        }

        var repeated = values.Count == count ? values : Enumerable.Repeat(values, (int)(count / perItem)).SelectMany(v => v).ToList();
        try
        {
            JsonInputValues.Set(input, repeated);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
        {
            throw new ArgumentException($"--input-data input '{meta.Name}': values are not valid {meta.Datatype}: {e.Message}");
        }
    }

    private static string FormatShape(long[] shape) => "[" + string.Join(',', shape) + "]";
}
