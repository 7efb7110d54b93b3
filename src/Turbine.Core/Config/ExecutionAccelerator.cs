using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelOptimizationPolicy.ExecutionAccelerators.Accelerator</c>.</summary>
public sealed record ExecutionAccelerator
{
    public string Name { get; init; } = "";
    public ImmutableDictionary<string, string> Parameters { get; init; } = ImmutableDictionary<string, string>.Empty;
}
