using System.Collections.Immutable;

namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelEnsembling.Step</c>: one composing model and its tensor mappings.</summary>
public sealed record EnsembleStep
{
    public string ModelName { get; init; } = "";

    /// <summary>The composing model's version; -1 (Triton's "latest") or 0 (unset) = the version policy's newest ready version.</summary>
    public long ModelVersion { get; init; }

    /// <summary>Composing model input name → ensemble tensor name.</summary>
    public ImmutableDictionary<string, string> InputMap { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Composing model output name → ensemble tensor name.</summary>
    public ImmutableDictionary<string, string> OutputMap { get; init; } = ImmutableDictionary<string, string>.Empty;
}
