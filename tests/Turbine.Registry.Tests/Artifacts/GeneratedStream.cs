using System.Security.Cryptography;

namespace Turbine.Registry.Tests.Artifacts;

/// <summary>
/// A read-only, non-seekable stream of <see cref="Length"/> pseudo-random bytes computed from their position (nothing
/// is held in memory), which counts what it was asked for and can run a callback, throw, or stall at a chosen offset.
/// </summary>
internal sealed class GeneratedStream(long length, ulong seed) : Stream
{
    private long _position;
    private bool _triggered;

    /// <summary>Once this many bytes have been handed out, <see cref="AtTrigger"/> runs (once) before the next read.</summary>
    public long TriggerAt { get; init; } = long.MaxValue;

    /// <summary>Runs at <see cref="TriggerAt"/>; may throw to simulate a broken connection.</summary>
    public Action? AtTrigger { get; init; }

    public int Reads { get; private set; }

    public int LargestRead { get; private set; }

    public long Delivered => _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public static byte[] Bytes(long length, ulong seed)
    {
        var bytes = new byte[length];
        Fill(seed, 0, bytes);
        return bytes;
    }

    public static string Sha256(long length, ulong seed)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[1 << 20];
        for (long offset = 0; offset < length; offset += chunk.Length)
        {
            var n = (int)Math.Min(chunk.Length, length - offset);
            Fill(seed, offset, chunk.AsSpan(0, n));
            hash.AppendData(chunk, 0, n);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static void Fill(ulong seed, long offset, Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var position = (ulong)(offset + i);
            var x = ((position >> 3) + seed + 1) * 0x9E3779B97F4A7C15UL;
            x ^= x >> 31;
            x *= 0xBF58476D1CE4E5B9UL;
            x ^= x >> 27;
            destination[i] = (byte)(x >> (int)((position & 7) * 8));
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!_triggered && _position >= TriggerAt)
        {
            _triggered = true;
            AtTrigger?.Invoke();
        }

        Reads++;
        LargestRead = Math.Max(LargestRead, buffer.Length);
        var n = (int)Math.Min(buffer.Length, length - _position);
        if (!_triggered && TriggerAt > _position)
        {
            n = (int)Math.Min(n, TriggerAt - _position);
        }

        Fill(seed, _position, buffer[..n]);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
