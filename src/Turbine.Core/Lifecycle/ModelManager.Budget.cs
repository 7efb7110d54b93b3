using Turbine.Core.Memory;

namespace Turbine.Core.Lifecycle;

/// <summary>The manager's side of the model memory budget: eviction of idle versions and refusal of a model too big.</summary>
internal sealed partial class ModelManager
{
    /// <summary>The memory budget every load goes through, or null when there is none.</summary>
    public MemoryBudget? Budget { get; set; }

    /// <summary>
    /// Unloads one version if no request holds it (atomically: a request either got its reference before, and the version
    /// stays, or finds it gone and loads the model again); false when it is in use, already gone, or its model's lock is
    /// busy. Nothing waits: the version's instances are freed at once.
    /// </summary>
    public async Task<bool> TryEvictAsync(LoadedVersion version, string reason)
    {
        if (!_models.TryGetValue(version.Config.Name, out var entry) || !await entry.ControlLock.WaitAsync(0).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            var state = entry.State;
            if (!state.Serving.Contains(version) || !version.TryRetireIdle())
            {
                return false;
            }

            var serving = state.Serving.Remove(version);
            if (serving.IsEmpty)
            {
                entry.Wanted = false;
            }

            entry.State = state with
            {
                Serving = serving,
                Statuses = state.Statuses.SetItem(version.Version, new VersionStatus(version.Version, ModelReadyState.Unavailable, reason)),
                ModelReason = serving.IsEmpty ? reason : state.ModelReason,
            };
            ReleaseUnusedOverrideFolders(entry);
            ManagerLog.Unloaded(_logger, $"{version.Config.Name} version {version.VersionText} ({reason})");
            return true;
        }
        finally
        {
            entry.ControlLock.Release();
        }
    }

    /// <summary>Unloads a model that turned out bigger than the budget and records why, so the index and requests say so.</summary>
    public async Task RejectAsync(string model, string reason, CancellationToken cancellationToken)
    {
        await UnloadAsync(model, cancellationToken).ConfigureAwait(false);
        if (_models.TryGetValue(model, out var entry))
        {
            var state = entry.State;
            var statuses = state.Statuses.ToBuilder();
            foreach (var key in statuses.Keys.ToList())
            {
                statuses[key] = new VersionStatus(key, ModelReadyState.Unavailable, reason);
            }

            entry.State = state with { Statuses = statuses.ToImmutable(), ModelReason = reason };
        }
    }

    /// <summary>After a failed on-demand load: the model is not meant to be loaded unless something serves.</summary>
    public void ForgetFailedLoad(string model)
    {
        if (_models.TryGetValue(model, out var entry) && entry.State.Serving.IsEmpty)
        {
            entry.Wanted = false;
        }
    }

    /// <summary>Why a serving version stays resident, for the repository index.</summary>
    internal static string Residency(LoadedVersion version) =>
        version.Pinned ? "pinned" : version.InFlight > 0 ? "in use" : "recently used";
}
