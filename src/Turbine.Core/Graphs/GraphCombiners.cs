using System.Buffers.Binary;
using Turbine.Core.Tensors;

namespace Turbine.Core.Graphs;

/// <summary>
/// The combiners of an Ensemble node, on the outputs of the steps that succeeded, output by output (by name, in the
/// first step's order; an output every step returned). <c>mean</c> and <c>weighted_mean</c> average FP32/FP64
/// tensors of one shape element-wise; <c>majority_vote</c> takes each step's vote per row (the arg-max of the last
/// dimension for floating-point outputs, the value itself for integer ones) and returns the class most steps chose
/// as INT64 (ties: the smallest class); <c>concatenate</c> joins along an axis (default the last).
/// </summary>
internal static class GraphCombiners
{
    public static Result<InferenceTensor> Combine(string combiner, string name, IReadOnlyList<InferenceTensor> tensors, IReadOnlyList<long> weights, int? axis)
    {
        var first = tensors[0];
        foreach (var t in tensors)
        {
            if (t.DataType != first.DataType)
            {
                return InferenceError.InvalidArgument($"combiner {combiner}: output '{name}' is {first.DataType.ToWireName()} in one step and {t.DataType.ToWireName()} in another");
            }
        }

        if (first.DataType is TensorDataType.Bytes or TensorDataType.BF16)
        {
            return InferenceError.InvalidArgument($"combiner {combiner}: output '{name}' is {first.DataType.ToWireName()}; combiners work on fixed-size numbers");
        }

        return combiner switch
        {
            "mean" => Mean(name, tensors, [.. tensors.Select(_ => 1L)]),
            "weighted_mean" => Mean(name, tensors, weights),
            "majority_vote" => Vote(name, tensors),
            _ => Concatenate(name, tensors, axis),
        };
    }

    private static Result<InferenceTensor> Mean(string name, IReadOnlyList<InferenceTensor> tensors, IReadOnlyList<long> weights)
    {
        var first = tensors[0];
        if (first.DataType is not (TensorDataType.FP32 or TensorDataType.FP64))
        {
            return InferenceError.InvalidArgument($"combiner mean: output '{name}' is {first.DataType.ToWireName()}; mean works on FP32 and FP64");
        }

        if (tensors.FirstOrDefault(t => !t.Shape.SequenceEqual(first.Shape)) is { } other)
        {
            return InferenceError.InvalidArgument($"combiner mean: output '{name}' has shape {TensorShape.Format(first.Shape)} in one step and {TensorShape.Format(other.Shape)} in another");
        }

        var sums = new double[first.ElementCount];
        double total = weights.Sum();
        for (var t = 0; t < tensors.Count; t++)
        {
            var values = GraphCondition.TensorValues(tensors[t])!;
            for (var i = 0; i < sums.Length; i++)
            {
                sums[i] += values[i] * weights[t] / total;
            }
        }

        var size = first.DataType == TensorDataType.FP32 ? 4 : 8;
        var data = new byte[sums.Length * size];
        for (var i = 0; i < sums.Length; i++)
        {
            if (size == 4)
            {
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), (float)sums[i]);
            }
            else
            {
                BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(i * 8), sums[i]);
            }
        }

        return Owned(name, first.DataType, first.Shape, data);
    }

    private static Result<InferenceTensor> Vote(string name, IReadOnlyList<InferenceTensor> tensors)
    {
        var first = tensors[0];
        var floating = first.DataType is TensorDataType.FP16 or TensorDataType.FP32 or TensorDataType.FP64;
        if (tensors.FirstOrDefault(t => !t.Shape.SequenceEqual(first.Shape)) is { } other)
        {
            return InferenceError.InvalidArgument($"combiner majority_vote: output '{name}' has shape {TensorShape.Format(first.Shape)} in one step and {TensorShape.Format(other.Shape)} in another");
        }

        var width = floating && first.Shape.Length > 0 ? (int)Math.Max(1, first.Shape[^1]) : 1;
        var rows = (int)(first.ElementCount / width);
        long[] shape = floating && first.Shape.Length > 0 ? first.Shape[..^1] : first.Shape;
        var votes = tensors.Select(t =>
        {
            var values = GraphCondition.TensorValues(t)!;
            var result = new long[rows];
            for (var r = 0; r < rows; r++)
            {
                result[r] = floating ? GraphCondition.ArgMax(values.AsSpan(r * width, width)) : (long)values[r];
            }

            return result;
        }).ToList();
        var data = new byte[rows * 8];
        for (var r = 0; r < rows; r++)
        {
            var winner = votes.GroupBy(v => v[r]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
            BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(r * 8), winner);
        }

        return Owned(name, TensorDataType.Int64, shape, data);
    }

    private static Result<InferenceTensor> Concatenate(string name, IReadOnlyList<InferenceTensor> tensors, int? axis)
    {
        var first = tensors[0];
        var rank = first.Shape.Length;
        var a = axis ?? (rank - 1);
        if (a < 0)
        {
            a += rank;
        }

        if (rank == 0 || a < 0 || a >= rank)
        {
            return InferenceError.InvalidArgument($"combiner concatenate: axis {axis} is outside output '{name}' of rank {rank}");
        }

        foreach (var t in tensors)
        {
            if (t.Shape.Length != rank || Enumerable.Range(0, rank).Any(d => d != a && t.Shape[d] != first.Shape[d]))
            {
                return InferenceError.InvalidArgument($"combiner concatenate: output '{name}' shapes {TensorShape.Format(first.Shape)} and {TensorShape.Format(t.Shape)} differ outside axis {a}");
            }
        }

        long outer = 1;
        for (var d = 0; d < a; d++)
        {
            outer *= first.Shape[d];
        }

        var shape = (long[])first.Shape.Clone();
        shape[a] = tensors.Sum(t => t.Shape[a]);
        var data = new byte[tensors.Sum(t => t.Data.Length)];
        var offset = 0;
        for (long o = 0; o < outer; o++)
        {
            foreach (var t in tensors)
            {
                var chunk = (int)(t.Data.Length / outer);
                t.Data.Span.Slice((int)(o * chunk), chunk).CopyTo(data.AsSpan(offset));
                offset += chunk;
            }
        }

        return Owned(name, first.DataType, shape, data);
    }

    /// <summary>A combined tensor owns managed bytes (nothing to release); the caller takes it inside the result.</summary>
#pragma warning disable CA2000 // ownership passes to the caller inside the Result (and the bytes are managed)
    private static Result<InferenceTensor> Owned(string name, TensorDataType type, long[] shape, byte[] data) =>
        Result<InferenceTensor>.Ok(new InferenceTensor(name, type, shape, data));
#pragma warning restore CA2000
}
