using Turbine.Core.Caching;
using Turbine.Core.Lifecycle;

namespace Turbine.Core;

/// <summary>
/// Read-only snapshots of the engine's state for metrics, hosts and front ends: the model manager, loaded versions,
/// schedulers and cache stay internal; these answer what is read of them.
/// </summary>
public sealed partial class InferenceEngine
{
    /// <summary>
    /// The versions serving requests now, of <paramref name="model"/> or (null) of every model, ordered by model name
    /// and version; empty for a model with none serving.
    /// </summary>
    public IReadOnlyList<ServingVersion> GetServingVersions(string? model = null)
    {
        IEnumerable<LoadedVersion> versions = model is null
            ? _manager.AllServing().OrderBy(v => v.Config.Name, StringComparer.Ordinal).ThenBy(v => v.Version)
            : _manager.Serving(model);
        return [.. versions.Select(v => new ServingVersion(v.Config, v.Version, v.LoadDuration, v.Scheduler.QueueDepth,
            v.Statistics.Snapshot(v.Config.Name, v.Version)) { WarmupDuration = v.WarmupDuration, Footprint = v.Footprint, InFlight = v.InFlight, Pinned = v.Pinned })];
    }

    /// <summary>Every model version the engine knows, with its state (no disk access), ordered by model name and version.</summary>
    public IReadOnlyList<ModelVersionStatus> GetVersionStatuses() =>
        [.. _manager.AllStatuses()
            .OrderBy(s => s.Model, StringComparer.Ordinal).ThenBy(s => s.Status.Version)
            .Select(s => new ModelVersionStatus(s.Model, s.Status))];

    /// <summary>
    /// The models meant to be loaded that have no version serving, each with the reason its load gave, ordered by name;
    /// empty when every such model is READY (what <see cref="EngineOptions.StrictReadiness"/> reads).
    /// </summary>
    public IReadOnlyList<(string Model, string Reason)> GetNotReadyModels() => _manager.NotReadyModels();

    /// <summary>What the server-wide response cache holds now; zeros when it is off.</summary>
    public ResponseCacheStatistics GetResponseCacheStatistics() =>
        _cache is null ? default : new ResponseCacheStatistics(_cache.SizeBytes, _cache.Count);
}
