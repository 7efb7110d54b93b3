namespace Turbine.Monitoring.Online;

/// <summary>What happened to one label.</summary>
public enum FeedbackResult
{
    /// <summary>Joined to its prediction; the window's metrics include it.</summary>
    Joined,

    /// <summary>No served prediction with that request id (never seen, not sampled, or forgotten): counted.</summary>
    UnknownId,

    /// <summary>The request had a different number of rows than labels were given.</summary>
    RowMismatch,

    /// <summary>A label for this request was already joined (the first one counts).</summary>
    Duplicate,
}
