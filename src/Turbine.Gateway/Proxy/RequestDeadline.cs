namespace Turbine.Gateway.Proxy;

/// <summary>
/// A pool's request timeout for one request: a token that is cancelled when the client goes away or the time runs out
/// (measured on the gateway's <see cref="TimeProvider"/>), and which of the two happened.
/// </summary>
internal sealed class RequestDeadline : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _client;

    private RequestDeadline(CancellationTokenSource timer, CancellationTokenSource linked, CancellationToken client)
    {
        _timer = timer;
        _linked = linked;
        _client = client;
    }

    /// <summary>Cancelled when the client aborts or the timeout passes.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>True when the time ran out (and the client had not gone away first).</summary>
    public bool TimedOut => _timer.IsCancellationRequested && !_client.IsCancellationRequested;

    /// <summary>A deadline of <paramref name="timeoutMs"/> from now, or null when it is 0 (no limit).</summary>
    public static RequestDeadline? Start(int timeoutMs, TimeProvider time, CancellationToken client)
    {
        if (timeoutMs <= 0)
        {
            return null;
        }

        var timer = new CancellationTokenSource(TimeSpan.FromMilliseconds(timeoutMs), time);
        try
        {
            return new RequestDeadline(timer, CancellationTokenSource.CreateLinkedTokenSource(client, timer.Token), client);
        }
        catch
        {
            timer.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
