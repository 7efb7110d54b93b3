namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelQueuePolicy</c>.</summary>
public sealed record ModelQueuePolicy
{
    public TimeoutAction TimeoutAction { get; init; }
    public long DefaultTimeoutMicroseconds { get; init; }
    public bool AllowTimeoutOverride { get; init; }

    /// <summary>0 = unlimited.</summary>
    public int MaxQueueSize { get; init; }
}
