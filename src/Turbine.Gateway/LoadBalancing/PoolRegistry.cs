using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.LoadBalancing;

/// <summary>The current <see cref="PoolSet"/>, rebuilt atomically on each config change.</summary>
internal sealed class PoolRegistry
{
    private readonly Func<Random> _randomFactory;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private volatile PoolSet _current;

    public PoolRegistry(IGatewayConfigSource source, Func<Random> randomFactory, TimeProvider time)
    {
        _randomFactory = randomFactory;
        _time = time;
        _current = new PoolSet(source.Current, null, randomFactory, time);
        source.Changed += Update;
    }

    public PoolSet Current => _current;

    /// <summary>Raised after each new set is swapped in (under the registry's lock, so in the order applied): wakes the activator's waiters.</summary>
    public event Action<PoolSet>? Changed;

    private void Update(GatewayConfig config)
    {
        lock (_lock)
        {
            _current = new PoolSet(config, _current, _randomFactory, _time);
            Changed?.Invoke(_current);
        }
    }
}
