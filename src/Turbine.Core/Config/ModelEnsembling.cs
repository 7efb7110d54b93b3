using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelEnsembling</c> (<c>ensemble_scheduling</c>): the steps of an ensemble and how tensors flow between them.</summary>
public sealed record ModelEnsembling
{
    /// <summary>The steps, in the order the config lists them (execution order follows the data, not this order).</summary>
    public ImmutableArray<EnsembleStep> Steps { get; init; } = [];

    /// <summary>Triton <c>max_inflight_requests</c>: requests in flight at each step across all ensemble requests; 0 = no limit.</summary>
    public ulong MaxInflightRequests { get; init; }
}
