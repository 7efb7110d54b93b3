namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelTransactionPolicy</c>.</summary>
public sealed record ModelTransactionPolicy
{
    public bool Decoupled { get; init; }
}
