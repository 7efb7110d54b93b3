namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelResponseCache</c>.</summary>
public sealed record ModelResponseCache
{
    public bool Enable { get; init; }
}
