using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelWarmup</c>.</summary>
public sealed record ModelWarmup
{
    public string Name { get; init; } = "";
    public int BatchSize { get; init; }
    public ImmutableDictionary<string, ModelWarmupInput> Inputs { get; init; } =
        ImmutableDictionary<string, ModelWarmupInput>.Empty;

    /// <summary>Raw value; 0 = not set (Triton runs the sample once).</summary>
    public int Count { get; init; }
}
