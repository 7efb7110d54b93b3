namespace Turbine.Server.Grpc;

/// <summary>
/// Flow control of <c>ModelStreamInfer</c>: how many responses one stream may have that are not yet written
/// (requests running plus answers waiting for the client to read), and counters the server keeps about it. A stream
/// takes a slot before it reads a request and gives it back only once that request's response is written (or
/// dropped because the client went away), so a client that stops reading stops the server reading its requests.
/// </summary>
internal sealed class StreamFlow(int maxPendingPerStream)
{
    private long _requestsRead;
    private long _responsesDone;
    private long _maxPendingSeen;
    private int _streamsWaiting;

    /// <summary>The most responses not yet written that one stream may have.</summary>
    public int MaxPendingPerStream { get; } = maxPendingPerStream;

    /// <summary>Requests read from all streams so far.</summary>
    public long RequestsRead => Interlocked.Read(ref _requestsRead);

    /// <summary>Responses written (or dropped for a client that went away) on all streams so far.</summary>
    public long ResponsesDone => Interlocked.Read(ref _responsesDone);

    /// <summary>The most requests one stream ever had read but not yet answered on the wire.</summary>
    public long MaxPendingSeen => Interlocked.Read(ref _maxPendingSeen);

    /// <summary>Streams whose reading is paused now because their responses are not being written.</summary>
    public int StreamsWaiting => Volatile.Read(ref _streamsWaiting);

    internal void Waiting(bool waiting) => Interlocked.Add(ref _streamsWaiting, waiting ? 1 : -1);

    /// <summary>Counts a request read on a stream that now has <paramref name="pending"/> unanswered requests.</summary>
    internal void Read(long pending)
    {
        Interlocked.Increment(ref _requestsRead);
        var seen = Interlocked.Read(ref _maxPendingSeen);
        while (pending > seen && Interlocked.CompareExchange(ref _maxPendingSeen, pending, seen) != seen)
        {
            seen = Interlocked.Read(ref _maxPendingSeen);
        }
    }

    internal void Done() => Interlocked.Increment(ref _responsesDone);
}
