using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelOptimizationPolicy</c> (supported subset).</summary>
public sealed record ModelOptimization
{
    public const int PriorityDefault = 0;
    public const int PriorityMax = 1;
    public const int PriorityMin = 2;

    /// <summary><c>graph { level: N }</c>.</summary>
    public int GraphLevel { get; init; }

    /// <summary><see cref="PriorityDefault"/>, <see cref="PriorityMax"/> or <see cref="PriorityMin"/>.</summary>
    public int Priority { get; init; }
    public ImmutableArray<ExecutionAccelerator> GpuExecutionAccelerators { get; init; } = [];
    public ImmutableArray<ExecutionAccelerator> CpuExecutionAccelerators { get; init; } = [];
}
