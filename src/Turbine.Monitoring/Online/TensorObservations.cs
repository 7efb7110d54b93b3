using System.Buffers.Binary;
using System.Text;
using Turbine.Core.Payloads;
using Turbine.Core.Tensors;
using Turbine.Monitoring.Profiles;
using Turbine.Protocol;

namespace Turbine.Monitoring.Online;

/// <summary>
/// Turns captured tensors (the tap's, or a payload-log record's) into an <see cref="Observation"/>. An input whose
/// name is a profile feature gives that feature (one element per row; shape [rows] or [rows, 1]); otherwise a single
/// 2-D input [rows, k] with k equal to the number of profile features not given by name gives those features in profile
/// order (the usual tabular model with one FP32 matrix input). Anything else is a shape problem, counted, never thrown.
/// </summary>
public static class TensorObservations
{
    private static readonly Dictionary<string, string?[]> NoTexts = [];

    /// <summary>A payload-log record (for example read back from its files) as an observation.</summary>
    public static Observation FromPayload(PayloadRecord record, ReferenceProfile profile, string? predictionOutput)
    {
        var inputs = (record.Inputs ?? []).Select(View).ToArray();
        var output = record.Outputs?.FirstOrDefault(o => predictionOutput is null || o.Name == predictionOutput);
        return Build(record.RequestId, record.Model, record.Version, record.End, inputs, output is null ? null : View(output), null, profile, null);
    }

    /// <summary>The tap's capture as an observation (the background reader; the capture's buffers are read, not kept).</summary>
    internal static Observation FromCapture(TapCapture capture, ModelMonitor monitor)
    {
        var inputs = new TensorView[capture.Inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = View(capture.Inputs[i]);
        }

        return Build(capture.RequestId, capture.Model, capture.Version, capture.Time, inputs, capture.Output is { } o ? View(o) : null, capture.Problem,
            monitor.Settings.Profile, monitor.FeatureNames);
    }

    private static TensorView View(PayloadTensor t) =>
        new(t.Name, t.DataType, t.Shape.Length, t.Shape.Length > 0 ? t.Shape[0] : 1, t.Shape.Length > 1 ? t.Shape[1] : 1, t.Data, t.Elements,
            t.Redacted ? "redacted by the payload log" : t.Truncated ? "truncated by the payload log" : null, string.Join(",", t.Shape));

    private static TensorView View(TapTensor t) =>
        new(t.Name, t.DataType, t.Rank, t.Dim0, t.Dim1, t.Data, t.Elements, t.Copied ? null : "too large to monitor", null);

    private static Observation Build(string requestId, string model, long version, DateTimeOffset time, TensorView[] inputs, TensorView? output,
        string? problem, ReferenceProfile profile, IReadOnlySet<string>? names)
    {
        bool Known(string name) => names?.Contains(name) ?? profile.Find(name) is not null;

        List<string>? problems = problem is null ? null : [problem];
        var numbers = new Dictionary<string, double[]>(StringComparer.Ordinal);
        Dictionary<string, string?[]>? texts = null;
        var rows = -1;
        TensorView? unnamed = null;
        var unnamedCount = 0;
        foreach (var input in inputs)
        {
            if (input.Unusable is { } why)
            {
                (problems ??= []).Add($"input '{input.Name}' was {why}");
                continue;
            }

            if (!Known(input.Name))
            {
                unnamed ??= input;
                unnamedCount++;
                continue;
            }

            var n = input.Rank == 0 ? 1 : (int)input.Dim0;
            if (input.Elements != n)
            {
                (problems ??= []).Add($"input '{input.Name}': expected one element per row, got shape [{input.ShapeText}]");
                continue;
            }

            rows = rows < 0 ? n : rows;
            if (n != rows)
            {
                (problems ??= []).Add($"input '{input.Name}' has {n} rows, others {rows}");
                continue;
            }

            Decode(input, numbers, ref texts, [input.Name], ref problems);
        }

        if (unnamedCount > 0)
        {
            var features = profile.Features;
            var rest = new List<string>(features.Count);
            for (var f = 0; f < features.Count; f++)
            {
                if (!numbers.ContainsKey(features[f].Name) && texts?.ContainsKey(features[f].Name) != true)
                {
                    rest.Add(features[f].Name);
                }
            }

            var matrix = unnamed!.Value;
            if (unnamedCount == 1 && matrix.Rank == 2 && matrix.Dim1 == rest.Count && (rows < 0 || rows == matrix.Dim0))
            {
                rows = (int)matrix.Dim0;
                Decode(matrix, numbers, ref texts, [.. rest], ref problems);
            }
            else
            {
                // Named inputs the profile does not list: reported by the monitor once (as unknown features).
                foreach (var input in inputs)
                {
                    if (input.Unusable is null && !Known(input.Name))
                    {
                        numbers.TryAdd(input.Name, new double[Math.Max(rows, 0)]);
                    }
                }
            }
        }

        rows = Math.Max(rows, 0);
        List<string>? wrong = null;
        foreach (var (name, values) in numbers)
        {
            if (values.Length != rows)
            {
                (wrong ??= []).Add(name);
                (problems ??= []).Add($"input '{name}' has {values.Length} values for {rows} rows");
            }
        }

        foreach (var name in wrong ?? [])
        {
            numbers.Remove(name);
        }

        double[][] predictions = [];
        if (output is { Unusable: null } prediction && prediction.DataType != TensorDataType.Bytes && rows > 0 && prediction.Elements % rows == 0)
        {
            var width = (int)(prediction.Elements / rows);
            predictions = new double[rows][];
            var span = prediction.Data.Span;
            for (var i = 0; i < rows; i++)
            {
                var row = predictions[i] = new double[width];
                for (var c = 0; c < width; c++)
                {
                    row[c] = Element(span, prediction.DataType, (i * width) + c);
                }
            }
        }

        return new Observation
        {
            RequestId = requestId,
            Model = model,
            Version = version,
            Time = time,
            Rows = rows,
            Numbers = numbers,
            Texts = texts ?? NoTexts,
            Predictions = predictions,
            Problems = problems ?? (IReadOnlyList<string>)[],
        };
    }

    private static void Decode(TensorView tensor, Dictionary<string, double[]> numbers, ref Dictionary<string, string?[]>? texts, string[] names, ref List<string>? problems)
    {
        var k = names.Length;
        var rows = (int)(tensor.Elements / Math.Max(k, 1));
        if (tensor.DataType == TensorDataType.Bytes)
        {
            var all = new List<string?>();
            var data = tensor.Data.Span;
            while (BytesTensor.TryReadElement(ref data, out var element))
            {
                all.Add(Encoding.UTF8.GetString(element));
            }

            texts ??= new Dictionary<string, string?[]>(StringComparer.Ordinal);
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
            (problems ??= []).Add($"input '{tensor.Name}': datatype {tensor.DataType} is not monitored");
            return;
        }

        var span = tensor.Data.Span;
        var available = span.Length / Math.Max(tensor.DataType.ElementSize(), 1);
        for (var c = 0; c < k; c++)
        {
            var column = new double[rows];
            for (var r = 0; r < rows; r++)
            {
                var index = (r * k) + c;
                column[r] = index < available ? Element(span, tensor.DataType, index) : double.NaN;
            }

            numbers[names[c]] = column;
        }
    }

    /// <summary>Element <paramref name="i"/> of a raw little-endian tensor as a double.</summary>
    private static double Element(ReadOnlySpan<byte> data, TensorDataType type, int i) => type switch
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

    /// <summary>The tensor's elements as doubles (little-endian raw layout).</summary>
    public static double[] ToDoubles(PayloadTensor tensor)
    {
        var n = (int)Math.Min(tensor.Elements, tensor.Data.Length / Math.Max(tensor.DataType.ElementSize(), 1));
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = Element(tensor.Data, tensor.DataType, i);
        }

        return result;
    }

    /// <summary>A tensor as the decoder reads it: <see cref="Unusable"/> says why it cannot be read (redacted, truncated, too large).</summary>
    private readonly record struct TensorView(string Name, TensorDataType DataType, int Rank, long Dim0, long Dim1, ReadOnlyMemory<byte> Data, long Elements,
        string? Unusable, string? Shape)
    {
        public string ShapeText => Shape ?? (Rank <= 2 ? string.Join(",", new[] { Dim0, Dim1 }.Take(Rank)) : $"{Dim0},{Dim1},… (rank {Rank})");
    }
}
