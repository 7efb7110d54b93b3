namespace Turbine.Gateway.LoadBalancing;

/// <summary>
/// One server replica and the state the gateway keeps about it: requests in flight, peak-EWMA latency, active
/// health (server and per model), passive outlier state. Survives config reloads while the replica stays listed.
/// </summary>
internal sealed class Replica
{
    private readonly Lock _ewmaLock = new();
    private int _outstanding;
    private int _consecutiveFailures;
    private long _ejectedUntil; // TimeProvider timestamp; 0 = not ejected
    private double _ewmaMs;
    private long _ewmaStamp;
    private volatile bool _healthy = true;
    private volatile Dictionary<string, bool> _modelReady = [];

    public Replica(Uri http, Uri? grpc)
    {
        Http = http;
        Grpc = grpc;
        Id = http.ToString().TrimEnd('/');
        HttpPrefix = http.ToString();
        GrpcPrefix = grpc?.ToString();
    }

    /// <summary><see cref="Http"/> as the destination prefix the forwarder takes (made once, not per request).</summary>
    public string HttpPrefix { get; }

    /// <summary><see cref="Grpc"/> as the forwarder's destination prefix, or null.</summary>
    public string? GrpcPrefix { get; }

    /// <summary>The replica's REST base URL without a trailing slash: its identity in metrics and logs.</summary>
    public string Id { get; }

    public Uri Http { get; }

    public Uri? Grpc { get; }

    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Result of the last active check of <c>/v2/health/ready</c>.</summary>
    public bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    public void Begin() => Interlocked.Increment(ref _outstanding);

    public void End() => Interlocked.Decrement(ref _outstanding);

    /// <summary>False only when the last active check found the model not ready on this replica.</summary>
    public bool IsModelReady(string? model) => model is null || !_modelReady.TryGetValue(model, out var ready) || ready;

    public void SetModelReadiness(Dictionary<string, bool> readiness) => _modelReady = readiness;

    public bool IsEjected(long now) => Volatile.Read(ref _ejectedUntil) > now;

    /// <summary>Counts a failure; true when this failure ejects the replica (the caller checks the pool's cap first via <paramref name="mayEject"/>).</summary>
    public bool RecordFailure(long now, int threshold, long ejectFor, Func<bool> mayEject)
    {
        if (Interlocked.Increment(ref _consecutiveFailures) < threshold || IsEjected(now) || !mayEject())
        {
            return false;
        }

        Volatile.Write(ref _consecutiveFailures, 0);
        Volatile.Write(ref _ejectedUntil, now + ejectFor);
        return true;
    }

    public void RecordSuccess() => Volatile.Write(ref _consecutiveFailures, 0);

    /// <summary>Peak EWMA: a slower sample replaces the average at once; faster ones decay it with time constant <paramref name="tauTicks"/>.</summary>
    public void ObserveLatency(double ms, long now, double tauTicks)
    {
        lock (_ewmaLock)
        {
            var current = Decayed(now, tauTicks);
            _ewmaMs = ms > current ? ms : current + ((ms - current) * (1 - Math.Exp(-Math.Max(1, now - _ewmaStamp) / tauTicks)));
            _ewmaStamp = now;
        }
    }

    /// <summary>The latency average decayed towards 0 for the time without samples, so an avoided replica is tried again.</summary>
    public double EwmaMs(long now, double tauTicks)
    {
        lock (_ewmaLock)
        {
            return Decayed(now, tauTicks);
        }
    }

    private double Decayed(long now, double tauTicks) =>
        _ewmaStamp == 0 ? _ewmaMs : _ewmaMs * Math.Exp(-Math.Max(0, now - _ewmaStamp) / tauTicks);
}
