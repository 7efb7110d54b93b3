using Turbine.TestSupport;

namespace Turbine.Registry.Tests.Artifacts;

/// <summary>
/// A loopback TCP proxy in front of a server that can break connections the way a flaky network does: once the
/// client has sent <see cref="BreakAfterBytes"/> bytes in total, the connection carrying them is reset (once, or for
/// every later connection too when <see cref="BreakForever"/>).
/// </summary>
internal sealed class FaultyTcpProxy(Uri target) : TcpRelay(target)
{
    private long _sent;
    private int _breaks;

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public long BreakAfterBytes { get; init; } = long.MaxValue;

    public bool BreakForever { get; init; }

    /// <summary>How many connections were reset.</summary>
    public int Breaks => Volatile.Read(ref _breaks);

    protected override ValueTask<bool> ForwardChunkAsync(int length, CancellationToken cancellationToken)
    {
        var total = Interlocked.Add(ref _sent, length);
        if (total > BreakAfterBytes && (BreakForever || Interlocked.CompareExchange(ref _breaks, 1, 0) == 0))
        {
            if (BreakForever)
            {
                Interlocked.Increment(ref _breaks);
            }

            return ValueTask.FromResult(false);
        }

        return ValueTask.FromResult(true);
    }
}
