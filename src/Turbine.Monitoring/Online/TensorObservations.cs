using System.Buffers.Binary;
using System.Text;
using Turbine.Core.Payloads;
using Turbine.Core.Tensors;
using Turbine.Monitoring.Profiles;
using Turbine.Protocol;

namespace Turbine.Monitoring.Online;

/// <summary>
/// Turns captured tensors into an <see cref="Observation"/>. An input whose name is a profile feature gives that
/// feature (one element per row; shape [rows] or [rows, 1]); otherwise a single 2-D input [rows, k] with k equal to
/// the number of profile features not given by name gives those features in profile order (the usual tabular model
/// with one FP32 matrix input). Anything else is a shape problem, counted, never thrown.
/// </summary>
public static class TensorObservations
{
    public static Observation FromPayload(PayloadRecord record, ReferenceProfile profile, string? predictionOutput)
    {
        var problems = new List<string>();
        var numbers = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var texts = new Dictionary<string, string?[]>(StringComparer.Ordinal);
        var rows = -1;
        var unnamed = new List<PayloadTensor>();
        foreach (var input in record.Inputs ?? [])
        {
            if (input.Redacted || input.Truncated)
            {
                problems.Add($"input '{input.Name}' was {(input.Redacted ? "redacted" : "truncated")} by the payload log");
                continue;
            }

            if (profile.Find(input.Name) is null)
            {
                unnamed.Add(input);
                continue;
            }

            var n = input.Shape.Length == 0 ? 1 : (int)input.Shape[0];
            if (input.Elements != n)
            {
                problems.Add($"input '{input.Name}': expected one element per row, got shape [{string.Join(",", input.Shape)}]");
                continue;
            }

            rows = rows < 0 ? n : rows;
            if (n != rows)
            {
                problems.Add($"input '{input.Name}' has {n} rows, others {rows}");
                continue;
            }

            Decode(input, numbers, texts, [input.Name], problems);
        }

        var rest = profile.Features.Select(f => f.Name).Where(n => !numbers.ContainsKey(n) && !texts.ContainsKey(n)).ToArray();
        if (unnamed.Count == 1 && unnamed[0].Shape is [var r, var k] && k == rest.Length && (rows < 0 || rows == r))
        {
            rows = (int)r;
            Decode(unnamed[0], numbers, texts, rest, problems);
        }
        else if (unnamed.Count > 0)
        {
            // Named inputs the profile does not list: reported by the monitor once (as unknown features).
            foreach (var input in unnamed)
            {
                numbers.TryAdd(input.Name, new double[Math.Max(rows, 0)]);
            }
        }

        rows = Math.Max(rows, 0);
        foreach (var (name, values) in numbers.Where(p => p.Value.Length != rows).ToArray())
        {
            numbers.Remove(name);
            problems.Add($"input '{name}' has {values.Length} values for {rows} rows");
        }

        var predictions = new List<double[]>();
        var output = record.Outputs?.FirstOrDefault(o => predictionOutput is null || o.Name == predictionOutput);
        if (output is { Redacted: false, Truncated: false } && output.DataType != TensorDataType.Bytes && rows > 0 && output.Elements % rows == 0)
        {
            var flat = ToDoubles(output);
            var width = (int)(output.Elements / rows);
            for (var i = 0; i < rows; i++)
            {
                predictions.Add(flat.AsSpan(i * width, width).ToArray());
            }
        }

        return new Observation
        {
            RequestId = record.RequestId,
            Model = record.Model,
            Version = record.Version,
            Time = record.End,
            Rows = rows,
            Numbers = numbers,
            Texts = texts,
            Predictions = predictions,
            Problems = problems,
        };
    }

    private static void Decode(PayloadTensor tensor, Dictionary<string, double[]> numbers, Dictionary<string, string?[]> texts, string[] names, List<string> problems)
    {
        var k = names.Length;
        var rows = (int)(tensor.Elements / Math.Max(k, 1));
        if (tensor.DataType == TensorDataType.Bytes)
        {
            var all = new List<string?>();
            ReadOnlySpan<byte> data = tensor.Data;
            while (BytesTensor.TryReadElement(ref data, out var element))
            {
                all.Add(Encoding.UTF8.GetString(element));
            }

            for (var c = 0; c < k; c++)
            {
                var column = new string?[rows];
                for (var r = 0; r < rows; r++)
                {
                    column[r] = (r * k) + c < all.Count ? all[(r * k) + c] : null;
                }

                texts[names[c]] = column;
            }

            return;
        }

        if (tensor.DataType is TensorDataType.FP16 or TensorDataType.BF16 or TensorDataType.Invalid)
        {
            problems.Add($"input '{tensor.Name}': datatype {tensor.DataType} is not monitored");
            return;
        }

        var flat = ToDoubles(tensor);
        for (var c = 0; c < k; c++)
        {
            var column = new double[rows];
            for (var r = 0; r < rows; r++)
            {
                column[r] = flat[(r * k) + c];
            }

            numbers[names[c]] = column;
        }
    }

    /// <summary>The tensor's elements as doubles (little-endian raw layout).</summary>
    public static double[] ToDoubles(PayloadTensor tensor)
    {
        var data = tensor.Data.AsSpan();
        var n = (int)tensor.Elements;
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = tensor.DataType switch
            {
                TensorDataType.FP32 => BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]),
                TensorDataType.FP64 => BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 8)..]),
                TensorDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]),
                TensorDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]),
                TensorDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(data[(i * 2)..]),
                TensorDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]),
                TensorDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(data[(i * 4)..]),
                TensorDataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 8)..]),
                TensorDataType.Int8 => (sbyte)data[i],
                TensorDataType.UInt8 or TensorDataType.Bool => data[i],
                _ => double.NaN,
            };
        }

        return result;
    }
}
