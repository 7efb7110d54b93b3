namespace Turbine.Control.Api;

/// <summary>
/// The registry's verdicts on tokens, kept for a short TTL so each request does not ask it again: keyed by a SHA-256 of
/// the token (never the token), at most a fixed number of entries (the oldest inserted goes first), time from an
/// injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class TokenVerdictCache(int capacity, TimeSpan ttl, TimeProvider time)
{
    private readonly Dictionary<string, (AuthVerdict Verdict, DateTimeOffset Expires, LinkedListNode<string> Node)> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new();
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public AuthVerdict? Get(string key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                return null;
            }

            if (entry.Expires > time.GetUtcNow())
            {
                return entry.Verdict;
            }

            _order.Remove(entry.Node);
            _entries.Remove(key);
            return null;
        }
    }

    public void Set(string key, AuthVerdict verdict)
    {
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.Remove(key, out var old))
            {
                _order.Remove(old.Node);
            }

            while (_entries.Count >= capacity && _order.First is { } oldest)
            {
                _order.RemoveFirst();
                _entries.Remove(oldest.Value);
            }

            var node = _order.AddLast(key);
            _entries[key] = (verdict, time.GetUtcNow() + ttl, node);
        }
    }
}
