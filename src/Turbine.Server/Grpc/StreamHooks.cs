namespace Turbine.Server.Grpc;

/// <summary>
/// A test seam of <c>ModelStreamInfer</c>, one per server: <see cref="AfterInfer"/> runs after a stream request's
/// inference and before its response is ordered and queued, so a test can finish requests in an order of its choosing
/// (seeded delays) and check the order the client sees. Null (the default) costs nothing.
/// </summary>
internal sealed class StreamHooks
{
    public Func<WireInferRequest, Task>? AfterInfer { get; set; }
}
