namespace Turbine.Gateway.LoadBalancing;

/// <summary>
/// Caps retries so a failing pool is not hammered: each request deposits <c>percent/100</c> of a token, time adds
/// <c>minPerSecond</c> tokens a second, a retry takes one. The balance is capped at ten seconds' worth.
/// </summary>
internal sealed class RetryBudget(double percent, double minPerSecond, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly double _cap = Math.Max(10, minPerSecond * 10);
    private double _tokens = Math.Max(10, minPerSecond * 10);
    private long _stamp = time.GetTimestamp();

    public void OnRequest()
    {
        lock (_lock)
        {
            _tokens = Math.Min(_cap, _tokens + (percent / 100));
        }
    }

    public bool TryRetry()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(_cap, _tokens + (time.GetElapsedTime(_stamp, now).TotalSeconds * minPerSecond));
            _stamp = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
