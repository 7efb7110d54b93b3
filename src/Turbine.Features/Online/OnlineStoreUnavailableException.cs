namespace Turbine.Features.Online;

/// <summary>The online store cannot be reached or did not answer in time (a 503 to callers, never a silent default).</summary>
public sealed class OnlineStoreUnavailableException : Exception
{
    public OnlineStoreUnavailableException()
    {
    }

    public OnlineStoreUnavailableException(string message)
        : base(message)
    {
    }

    public OnlineStoreUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
