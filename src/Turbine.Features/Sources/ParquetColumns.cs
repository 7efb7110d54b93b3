using Parquet;
using Parquet.Schema;

namespace Turbine.Features.Sources;

/// <summary>
/// Reads one Parquet column of a row group into a typed array (<c>T[]</c>, or <c>T?[]</c> when nullable; strings and
/// bytes as arrays of references), reusing the previous row group's array when it has the same type and length, so
/// that a file's row groups do not each allocate their columns anew on the Large Object Heap.
/// </summary>
internal static class ParquetColumns
{
    public static async Task<Array> ReadAsync(ParquetRowGroupReader rg, DataField field, int n, Array? reuse, CancellationToken ct)
    {
        if (reuse is not null && reuse.Length == n)
        {
            Array.Clear(reuse);
        }
        else
        {
            reuse = null;
        }

        var t = field.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>))
        {
            var buf = reuse as string?[] ?? new string?[n];
            await rg.ReadAsync(field, buf.AsMemory(), null, ct).ConfigureAwait(false);
            return buf;
        }

        if (t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>))
        {
            var buf = reuse as byte[]?[] ?? new byte[]?[n];
            await rg.ReadAsync(field, buf.AsMemory(), null, ct).ConfigureAwait(false);
            return buf;
        }

        return t switch
        {
            _ when t == typeof(long) => await Read<long>(rg, field, n, reuse, ct).ConfigureAwait(false),
            _ when t == typeof(int) => await Read<int>(rg, field, n, reuse, ct).ConfigureAwait(false),
            _ when t == typeof(short) => await Read<short>(rg, field, n, reuse, ct).ConfigureAwait(false),
            _ when t == typeof(double) => await Read<double>(rg, field, n, reuse, ct).ConfigureAwait(false),
            _ when t == typeof(float) => await Read<float>(rg, field, n, reuse, ct).ConfigureAwait(false),
            _ when t == typeof(bool) => await Read<bool>(rg, field, n, reuse, ct).ConfigureAwait(false),
            _ when t == typeof(DateTime) => await Read<DateTime>(rg, field, n, reuse, ct).ConfigureAwait(false),
            _ when t == typeof(DateTimeOffset) => await Read<DateTimeOffset>(rg, field, n, reuse, ct).ConfigureAwait(false),
            _ when t == typeof(decimal) => await Read<decimal>(rg, field, n, reuse, ct).ConfigureAwait(false),
            _ => throw new NotSupportedException($"Parquet type {t.Name} is not supported"),
        };
    }

    private static async Task<Array> Read<T>(ParquetRowGroupReader rg, DataField field, int n, Array? reuse, CancellationToken ct)
        where T : struct
    {
        if (field.IsNullable)
        {
            var nullable = reuse as T?[] ?? new T?[n];
            await rg.ReadAsync<T>(field, nullable.AsMemory(), null, ct).ConfigureAwait(false);
            return nullable;
        }

        var buf = reuse as T[] ?? new T[n];
        await rg.ReadAsync(field, buf.AsMemory(), null, ct).ConfigureAwait(false);
        return buf;
    }
}
