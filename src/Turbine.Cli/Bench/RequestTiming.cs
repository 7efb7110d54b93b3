namespace Turbine.Cli.Bench;

/// <summary>
/// Timestamps (<see cref="System.Diagnostics.Stopwatch"/> ticks) of one HTTP request that
/// <see cref="HttpTimingHandler"/> fills in: when the request body was written, and when the response headers came.
/// Zero means not seen (gRPC, or the request failed early). One instance per worker, reset before each request.
/// </summary>
internal sealed class RequestTiming
{
    public long SendDone;

    public long ResponseStarted;

    public void Reset()
    {
        SendDone = 0;
        ResponseStarted = 0;
    }
}
