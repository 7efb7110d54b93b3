namespace Turbine.Cli.Bench;

/// <summary>Closed loop (a fixed number of requests in flight) or open loop (requests on a schedule).</summary>
internal enum LoadMode
{
    Concurrency,
    RequestRate,
}
