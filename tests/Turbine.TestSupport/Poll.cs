using System.Diagnostics;

namespace Turbine.TestSupport;

/// <summary>
/// Polls a condition until it holds or a deadline passes: the one way tests wait for something another thread or
/// process does (no fixed sleeps, no loop without a deadline). The deadline is measured on the monotonic clock.
/// </summary>
public static class Poll
{
    /// <summary>How often a condition is checked unless the caller says otherwise.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>True as soon as <paramref name="condition"/> holds; false when it still does not after <paramref name="timeout"/> (checked once more at the deadline).</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            if (await condition().ConfigureAwait(false))
            {
                return true;
            }

            await Task.Delay(interval ?? DefaultInterval).ConfigureAwait(false);
        }

        return await condition().ConfigureAwait(false);
    }

    /// <inheritdoc cref="UntilAsync(Func{Task{bool}}, TimeSpan, TimeSpan?)"/>
    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(() => Task.FromResult(condition()), timeout, interval);
    }

    /// <summary>Returns once <paramref name="condition"/> holds; fails the test with <paramref name="failure"/>'s text (built at the deadline) otherwise.</summary>
    public static async Task UntilOrFailAsync(Func<bool> condition, TimeSpan timeout, Func<string> failure, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (!await UntilAsync(condition, timeout, interval).ConfigureAwait(false))
        {
            Assert.Fail(failure());
        }
    }

    /// <inheritdoc cref="UntilOrFailAsync(Func{bool}, TimeSpan, Func{string}, TimeSpan?)"/>
    public static Task UntilOrFailAsync(Func<bool> condition, TimeSpan timeout, string failure, TimeSpan? interval = null) =>
        UntilOrFailAsync(condition, timeout, () => failure, interval);

    /// <inheritdoc cref="UntilOrFailAsync(Func{bool}, TimeSpan, Func{string}, TimeSpan?)"/>
    public static async Task UntilOrFailAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> failure, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (!await UntilAsync(condition, timeout, interval).ConfigureAwait(false))
        {
            Assert.Fail(failure());
        }
    }
}
