namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelQueuePolicy.TimeoutAction</c>: <c>REJECT</c> or <c>DELAY</c>.</summary>
public enum TimeoutAction
{
    Reject = 0,
    Delay = 1,
}
