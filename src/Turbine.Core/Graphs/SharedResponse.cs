namespace Turbine.Core.Graphs;

/// <summary>
/// A step's response shared by the graph run and every graph output that points into its buffers: disposed when
/// the run and each of those outputs have let go, so intermediate tensors are freed as soon as the run ends and
/// returned ones when the caller's response is released, without copying a byte.
/// </summary>
internal sealed class SharedResponse
{
    private readonly InferenceResponse _response;
    private int _holds = 1;

    public SharedResponse(InferenceResponse response)
    {
        _response = response;
    }

    public InferenceResponse Response => _response;

    /// <summary>One more hold, released by disposing the returned object (once).</summary>
    public IDisposable Hold()
    {
        Interlocked.Increment(ref _holds);
        return new Holder(this);
    }

    /// <summary>Releases one hold (the run's own, or a holder's through <see cref="Hold"/>).</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _holds) == 0)
        {
            _response.Dispose();
        }
    }

    private sealed class Holder(SharedResponse shared) : IDisposable
    {
        private SharedResponse? _shared = shared;

        public void Dispose() => Interlocked.Exchange(ref _shared, null)?.Release();
    }
}
