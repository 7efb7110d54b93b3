using System.Collections.Concurrent;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.LoadBalancing;
using Turbine.Protocol.Telemetry;

namespace Turbine.Gateway.Activation;

/// <summary>
/// The activator: holds requests for a pool that has no replica (scaled to zero) in a bounded queue per pool until a
/// config update adds one (woken by the update itself, no polling), the pool's <see cref="ActivatorConfig.MaxWaitMs"/>
/// passes, or the client goes away (its slot is freed at once). Pools with replicas never come here.
/// </summary>
public sealed class GatewayActivation
{
    /// <summary>Refusal reason: the pool's queue was full.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>Refusal reason: no replica appeared within the pool's wait time.</summary>
    public const string Timeout = "timeout";

    /// <summary>Refusal reason: the pool left the config while the request waited.</summary>
    public const string Removed = "removed";

    /// <summary>Refusal reason: the gateway began to shut down while the request waited.</summary>
    public const string ShuttingDown = "shutdown";

    private static readonly string[] Reasons = [QueueFull, Timeout, Removed, ShuttingDown];

    private readonly PoolRegistry _pools;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, PoolHold> _holds = new(StringComparer.Ordinal);
    private volatile TaskCompletionSource _changed = NewSignal();
    private volatile bool _stopping;

    internal GatewayActivation(PoolRegistry pools, TimeProvider time)
    {
        _pools = pools;
        _time = time;
        pools.Changed += OnPoolsChanged;
    }

    /// <summary>
    /// Raised with the pool's name once per request that starts waiting (on the request's thread: handlers must be cheap
    /// and must not throw), so a controller can start a replica.
    /// </summary>
    public event Action<string>? ActivationRequested;

    /// <summary>Requests held for <paramref name="pool"/> now.</summary>
    /// <param name="pool">The pool name.</param>
    public int Held(string pool) => _holds.TryGetValue(pool, out var h) ? Volatile.Read(ref h.Held) : 0;

    /// <summary>Requests refused for <paramref name="pool"/> so far, for one <paramref name="reason"/> (<see cref="QueueFull"/>, <see cref="Timeout"/>, <see cref="Removed"/>, <see cref="ShuttingDown"/>).</summary>
    /// <param name="pool">The pool name.</param>
    /// <param name="reason">The refusal reason.</param>
    public long Refused(string pool, string reason)
    {
        var i = Array.IndexOf(Reasons, reason);
        return i >= 0 && _holds.TryGetValue(pool, out var h) ? Volatile.Read(ref h.Refused[i]) : 0;
    }

    /// <summary>
    /// Waits until <paramref name="name"/> has a replica; the pool to forward to, or why the request is refused.
    /// Throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> (the client) goes away.
    /// </summary>
    internal async Task<ActivationResult> WaitAsync(string name, ActivatorConfig settings, CancellationToken cancellationToken)
    {
        var hold = _holds.GetOrAdd(name, static _ => new PoolHold());
        if (Interlocked.Increment(ref hold.Held) > settings.QueueSize)
        {
            Interlocked.Decrement(ref hold.Held);
            return Refuse(hold, 0, $"the activator queue of pool '{name}' is full ({settings.QueueSize} requests wait for a replica)");
        }

        try
        {
            Interlocked.Increment(ref hold.Started);
            ActivationRequested?.Invoke(name);
            var maxWait = TimeSpan.FromMilliseconds(settings.MaxWaitMs);
            var start = _time.GetTimestamp();
            while (true)
            {
                // Read the signal before the pools: an update between the two completes this very signal.
                var signal = _changed;
                if (_stopping)
                {
                    return Refuse(hold, 3, "the gateway is shutting down");
                }

                var pool = _pools.Current.Get(name);
                if (pool is null)
                {
                    return Refuse(hold, 2, $"pool '{name}' was removed while the request waited for a replica");
                }

                if (!pool.Activates)
                {
                    return new ActivationResult(pool, null, null);
                }

                var remaining = maxWait - _time.GetElapsedTime(start);
                if (remaining <= TimeSpan.Zero)
                {
                    return Refuse(hold, 1, $"no replica of pool '{name}' became ready within {settings.MaxWaitMs} ms");
                }

                try
                {
                    await signal.Task.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Checked once more at the top: an update may have raced the timer.
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref hold.Held);
        }
    }

    /// <summary>Prometheus families: held requests, requests that started waiting, refusals by reason.</summary>
    internal void Write(PrometheusText w)
    {
        var holds = _holds.OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        w.Family("turbine_gateway_activator_held", "gauge", "Requests the activator holds now for a pool without replicas");
        foreach (var (pool, h) in holds)
        {
            w.Sample("turbine_gateway_activator_held", Volatile.Read(ref h.Held), "pool", pool);
        }

        w.Family("turbine_gateway_activator_requests_total", "counter", "Requests that started waiting in the activator");
        foreach (var (pool, h) in holds)
        {
            w.Sample("turbine_gateway_activator_requests_total", Volatile.Read(ref h.Started), "pool", pool);
        }

        w.Family("turbine_gateway_activator_refused_total", "counter", "Requests the activator refused (503 / UNAVAILABLE), by reason: queue_full, timeout, removed, shutdown");
        foreach (var (pool, h) in holds)
        {
            for (var i = 0; i < Reasons.Length; i++)
            {
                w.Sample("turbine_gateway_activator_refused_total", Volatile.Read(ref h.Refused[i]), "pool", pool, "reason", Reasons[i]);
            }
        }
    }

    /// <summary>The host is stopping: held requests are refused now instead of keeping shutdown waiting; new ones are refused too.</summary>
    internal void Stop()
    {
        _stopping = true;
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static ActivationResult Refuse(PoolHold hold, int reason, string message)
    {
        Interlocked.Increment(ref hold.Refused[reason]);
        return new ActivationResult(null, Reasons[reason], message);
    }

    private void OnPoolsChanged(PoolSet set)
    {
        // Forget pools that left the config and hold nothing (keeps the table bounded by the config), then wake everyone.
        foreach (var (name, hold) in _holds)
        {
            if (set.Get(name) is null && Volatile.Read(ref hold.Held) == 0)
            {
                _holds.TryRemove(new KeyValuePair<string, PoolHold>(name, hold));
            }
        }

        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    private sealed class PoolHold
    {
        public readonly long[] Refused = new long[4];
        public int Held;
        public long Started;
    }
}

/// <summary>What the activator decided: the pool to forward to, or the refusal reason and message.</summary>
internal readonly record struct ActivationResult(BackendPool? Pool, string? Reason, string? Message);
