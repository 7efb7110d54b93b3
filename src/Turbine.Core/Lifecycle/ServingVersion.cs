using Turbine.Core.Config;
using Turbine.Core.Stats;

namespace Turbine.Core.Lifecycle;

/// <summary>
/// A model version that serves requests, read when asked (<see cref="InferenceEngine.GetServingVersions"/>): what
/// metrics, hosts and tests see of a loaded version, without a hold on it.
/// </summary>
/// <param name="Config">The configuration the version was loaded with (<see cref="ModelConfig.Name"/> is the model's name).</param>
/// <param name="Version">The version number.</param>
/// <param name="LoadDuration">How long its load took (backend load and warm-up).</param>
/// <param name="QueueDepth">Requests waiting in its scheduler's queue.</param>
/// <param name="Statistics">Its statistics (the statistics extension's numbers).</param>
public sealed record ServingVersion(ModelConfig Config, long Version, TimeSpan LoadDuration, int QueueDepth, ModelStatisticsSnapshot Statistics)
{
    /// <summary>The model's name.</summary>
    public string Model => Config.Name;

    /// <summary>The part of <see cref="LoadDuration"/> spent on the config's <c>model_warmup</c> (zero without warm-up).</summary>
    public TimeSpan WarmupDuration { get; init; }

    /// <summary>What the version costs in memory, measured around its load (zeros for a graph).</summary>
    public Memory.MemoryFootprint Footprint { get; init; }

    /// <summary>Requests holding the version now.</summary>
    public int InFlight { get; init; }

    /// <summary>True when its config pins it (the memory budget never evicts it).</summary>
    public bool Pinned { get; init; }
}
