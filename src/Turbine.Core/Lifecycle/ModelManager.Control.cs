using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Turbine.Core.Config;
using Turbine.Core.Repository;

namespace Turbine.Core.Lifecycle;

internal sealed partial class ModelManager
{
    /// <summary>
    /// Loads (or reloads) a model from the model source, optionally with a JSON config override. New versions
    /// are loaded before anything is swapped; versions whose config and files did not change are kept as they
    /// are. When a version fails to load, the version previously serving keeps serving and the failure is
    /// recorded in the index. Returns null on success or the error that names what failed.
    /// </summary>
    public Task<InferenceError?> LoadAsync(string model, string? configOverrideJson, CancellationToken cancellationToken) =>
        LoadAsync(model, configOverrideJson, null, cancellationToken);

    /// <summary>
    /// As <see cref="LoadAsync(string, string?, CancellationToken)"/>, with Triton's <c>file:</c> override: when
    /// <paramref name="files"/> is not empty the model is loaded from those files alone (written into a private
    /// server-owned folder, see <see cref="ModelOverrideFolders"/>) with <paramref name="configOverrideJson"/> as its
    /// configuration, which is then required; the user's repository is not read. The folder is deleted once nothing
    /// serves from it (a later load, an unload, shutdown). A bad override answers Triton's INTERNAL "failed to poll
    /// from model repository" with the reason.
    /// </summary>
    public Task<InferenceError?> LoadAsync(string model, string? configOverrideJson, IReadOnlyList<ModelFileOverride>? files, CancellationToken cancellationToken) =>
        LoadAsync(model, configOverrideJson, files, ImmutableStack<string>.Empty, cancellationToken);

    /// <summary>
    /// Loads an ensemble's composing models that are not serving yet (Triton in explicit mode: loading an ensemble
    /// loads what it is made of), each before the ensemble itself; <paramref name="loading"/> holds the ensembles whose
    /// load is waiting for this one, so ensembles that include each other are refused instead of waiting forever.
    /// </summary>
    private async Task<InferenceError?> LoadComposingAsync(string model, ModelRepository repository, string? configOverrideJson, ImmutableStack<string> loading, CancellationToken cancellationToken)
    {
        foreach (var composing in _loader.ComposingModels(repository, model, configOverrideJson))
        {
            if (loading.Contains(composing) || composing == model)
            {
                return InferenceError.InvalidArgument(
                    $"failed to load '{model}': ensembles include each other ({string.Join(" -> ", loading.Reverse().Append(model).Append(composing))})");
            }

            if (_models.TryGetValue(composing, out var entry) && !entry.State.Serving.IsEmpty)
            {
                continue;
            }

            var error = await LoadAsync(composing, null, null, loading.Push(model), cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                return error with { Message = $"failed to load '{model}': its composing model '{composing}' did not load: {error.Message}" };
            }
        }

        return null;
    }

    private Task<InferenceError?> LoadAsync(string model, string? configOverrideJson, IReadOnlyList<ModelFileOverride>? files, ImmutableStack<string> loading, CancellationToken cancellationToken) =>
        Budget is { } budget && loading.IsEmpty
            ? budget.LoadAsync(model, () => LoadCoreAsync(model, configOverrideJson, files, loading, cancellationToken), cancellationToken)
            : LoadCoreAsync(model, configOverrideJson, files, loading, cancellationToken);

    private async Task<InferenceError?> LoadCoreAsync(string model, string? configOverrideJson, IReadOnlyList<ModelFileOverride>? files, ImmutableStack<string> loading, CancellationToken cancellationToken)
    {
        ModelRepository repository;
        string? overrideRoot = null;
        if (files is { Count: > 0 })
        {
            if (configOverrideJson is null)
            {
                return ModelOverrideFolders.PollFailure(model, "load parameter 'config' must be specified for model file override (the files replace the model folder, so its configuration comes with them)");
            }

            if (!ModelRepository.IsSafeName(model))
            {
                return ModelOverrideFolders.PollFailure(model, "the model name must not be empty or contain '/' or '\\'");
            }

            try
            {
                overrideRoot = _overrides.Materialize(model, files);
            }
            catch (InferenceException e)
            {
                return ModelOverrideFolders.PollFailure(model, e.Error.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return ModelOverrideFolders.PollFailure(model, $"cannot write the override files: {e.Message}");
            }

            repository = new ModelRepository(overrideRoot);
        }
        else
        {
            var located = _source.Locate(model);
            if (!located.IsOk)
            {
                return located.Error;
            }

            repository = located.Value.Repository;
            configOverrideJson ??= located.Value.ConfigJson;
        }

        if (await LoadComposingAsync(model, repository, configOverrideJson, loading, cancellationToken).ConfigureAwait(false) is { } composingError)
        {
            if (overrideRoot is not null)
            {
                _overrides.Delete(overrideRoot);
            }

            return composingError;
        }

        var entry = GetEntry(model);

        // Bounded by the load timeout and by shutdown: the load runs on its own thread, so a load stuck in a call that
        // cannot be cancelled (a backend, a warmup) is abandoned rather than awaited; it never swaps in afterwards and
        // holds the model's lock until it returns, so the next load of that model waits (bounded too) or reports it.
        using var timeout = new CancellationTokenSource(_loadTimeout, _time);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _disposing.Token);
        try
        {
            await entry.ControlLock.WaitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (overrideRoot is not null)
            {
                _overrides.Delete(overrideRoot);
            }

            return InferenceError.Unavailable($"failed to load '{model}': an earlier load of it is still running (abandoned after the load timeout) or the server is stopping");
        }
        catch (OperationCanceledException) when (overrideRoot is not null)
        {
            _overrides.Delete(overrideRoot);
            throw;
        }

#pragma warning disable CA2000 // the load thread disposes it in its finally (an abandoned load outlives this method)
        var abandon = new CancellationTokenSource();
#pragma warning restore CA2000
        var work = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    entry.Wanted = true;
                    entry.LastFolderFingerprint = ModelRepository.Fingerprint(repository.ModelPath(model));
                    var before = entry.State.Serving;
                    var error = LoadLocked(entry, repository, configOverrideJson, abandon.Token);
                    if (overrideRoot is not null)
                    {
                        entry.OverrideFolders[overrideRoot] = [.. entry.State.Serving.Where(v => !before.Contains(v))];
                    }

                    ReleaseUnusedOverrideFolders(entry);
                    return error;
                }
                finally
                {
                    entry.ControlLock.Release();
                    abandon.Dispose();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            return await work.WaitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (work.IsCompleted)
        {
            // Finished just as the wait was cancelled: its result stands.
            return await work.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            var reason = cancellationToken.IsCancellationRequested ? "the caller gave up"
                : _disposing.IsCancellationRequested ? "the server is stopping"
                : $"it did not finish within {_loadTimeout.TotalSeconds:0.###} s (--model-load-timeout-secs)";
            var message = $"failed to load '{model}': load abandoned, {reason}; whatever served before keeps serving";
            try
            {
                await abandon.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // The load finished meanwhile.
            }

            MarkAbandoned(entry, message);
            ManagerLog.LoadFailed(_logger, model, message);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return InferenceError.Unavailable(message);
        }
    }

    /// <summary>Versions still loading become unavailable with the reason (the abandoned load never swaps in).</summary>
    private static void MarkAbandoned(ModelEntry entry, string message)
    {
        var state = entry.State;
        var statuses = state.Statuses.ToBuilder();
        foreach (var status in state.Statuses.Values)
        {
            if (status.State == ModelReadyState.Loading)
            {
                statuses[status.Version] = new VersionStatus(status.Version, ModelReadyState.Unavailable, message);
            }
        }

        entry.State = state with { Statuses = statuses.ToImmutable() };
    }

    /// <summary>
    /// Unloads a model and, when it is a graph (ensemble or routing graph), then its composing models (depth first) that
    /// no other serving graph still names: Triton's <c>unload_dependents</c>.
    /// </summary>
    public async Task<InferenceError?> UnloadWithDependentsAsync(string model, CancellationToken cancellationToken)
    {
        var composing = _models.TryGetValue(model, out var entry)
            ? entry.State.Serving.SelectMany(v => v.ComposingModels).Distinct().ToList()
            : [];
        var error = await UnloadAsync(model, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        foreach (var name in composing)
        {
            var stillUsed = _models.Values.Any(other => other.State.Serving.Any(v => v.ComposingModels.Contains(name)));
            if (!stillUsed && await UnloadWithDependentsAsync(name, cancellationToken).ConfigureAwait(false) is { } failed)
            {
                return failed;
            }
        }

        return null;
    }

    /// <summary>Unloads every version of a model after its in-flight requests finish.</summary>
    public async Task<InferenceError?> UnloadAsync(string model, CancellationToken cancellationToken)
    {
        if (!_models.TryGetValue(model, out var entry))
        {
            return _source.Contains(model) ? null : InferenceError.NotFound($"failed to unload '{model}': unknown model");
        }

        await entry.ControlLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            entry.Wanted = false;
            var old = entry.State;
            var statuses = old.Statuses.ToBuilder();
            foreach (var v in old.Serving)
            {
                statuses[v.Version] = new VersionStatus(v.Version, ModelReadyState.Unloading, "");
            }

            entry.State = old with { Serving = [], Statuses = statuses.ToImmutable() };
            foreach (var v in old.Serving)
            {
                v.Release();
            }

            await Task.WhenAll(old.Serving.Select(v => v.Drained)).ConfigureAwait(false);
            var final = entry.State.Statuses.ToBuilder();
            foreach (var key in final.Keys.ToList())
            {
                final[key] = new VersionStatus(key, ModelReadyState.Unavailable, "unloaded");
            }

            entry.State = entry.State with { Statuses = final.ToImmutable(), ModelReason = "unloaded" };
            ReleaseUnusedOverrideFolders(entry);
            ManagerLog.Unloaded(_logger, model);
            return null;
        }
        finally
        {
            entry.ControlLock.Release();
        }
    }

    /// <summary>
    /// One pass of poll mode over the model source: loads new model folders, reloads changed ones, unloads removed ones.
    /// Returns the names of the models it acted on.
    /// </summary>
    public async Task<IReadOnlyList<string>> PollOnceAsync(CancellationToken cancellationToken)
    {
        var acted = new List<string>();
        var present = _source.ListModels();
        foreach (var model in present)
        {
            if (Budget is not null && !(_models.TryGetValue(model, out var resident) && resident.Wanted))
            {
                // Under a memory budget a model loads on its first request; the poll only reloads what is loaded.
                continue;
            }

            var fingerprint = SourceFolder(model) is { } folder ? ModelRepository.Fingerprint(folder.ModelPath(model)) : "";
            if (_models.TryGetValue(model, out var entry) && entry.LastFolderFingerprint == fingerprint && entry.Wanted)
            {
                continue;
            }

            acted.Add(model);
            await LoadAsync(model, null, cancellationToken).ConfigureAwait(false);
        }

        foreach (var entry in _models.Values)
        {
            if (entry.Wanted && !present.Contains(entry.Name))
            {
                acted.Add(entry.Name);
                await UnloadAsync(entry.Name, cancellationToken).ConfigureAwait(false);
            }
        }

        return acted;
    }

    /// <summary>
    /// Deletes each override folder of the model that no serving version was loaded from, once the versions that were
    /// have drained (their in-flight requests may still read files such as a sequence's initial state). Under the model's lock.
    /// </summary>
    private void ReleaseUnusedOverrideFolders(ModelEntry entry)
    {
        var serving = entry.State.Serving;
        foreach (var (folder, versions) in entry.OverrideFolders.ToList())
        {
            if (versions.Any(serving.Contains))
            {
                continue;
            }

            entry.OverrideFolders.Remove(folder);
            if (versions.All(v => v.Drained.IsCompleted))
            {
                // The usual case (a reload released the old version before this): delete now, not on a pool thread.
                _overrides.Delete(folder);
                continue;
            }

            _ = Task.WhenAll(versions.Select(v => v.Drained)).ContinueWith(
                _ => _overrides.Delete(folder), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private InferenceError? LoadLocked(ModelEntry entry, ModelRepository repository, string? overrideJson, CancellationToken abandoned)
    {
        var model = entry.Name;
        var old = entry.State;
        var started = Stopwatch.GetTimestamp();
        ModelDefinition definition;
        try
        {
            definition = _loader.Load(repository, model, overrideJson);
        }
        catch (InferenceException e)
        {
            return RecordConfigFailure(entry, repository, old, e.Error);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return RecordConfigFailure(entry, repository, old, InferenceError.Internal($"failed to read model '{model}': {e.Message}"));
        }

        if (definition.Config.ResponseCache is { Enable: true } && !_responseCacheEnabled)
        {
            ManagerLog.ConfigNote(_logger, model, "response_cache is enabled for the model but the server's response cache is off (--response-cache-bytes 0); every request runs the model");
        }

        var available = repository.ListVersions(model);
        var wanted = ApplyPolicy(definition.Config.VersionPolicy, available);
        if (wanted.Count == 0)
        {
            return RecordConfigFailure(entry, repository, old, InferenceError.Unavailable(
                $"failed to load '{model}': no version is available (version folders on disk: [{string.Join(",", available)}], policy {DescribePolicy(definition.Config.VersionPolicy)})"));
        }

        var configJson = ModelConfigJson.ToJson(definition.Config);
        var statuses = old.Statuses.ToBuilder();
        var loaded = new List<LoadedVersion>();
        var failures = new List<(long Version, InferenceError Error)>();
        foreach (var version in wanted)
        {
            var fingerprint = configJson + "\n" + ModelRepository.Fingerprint(repository.VersionPath(model, version));
            var existing = old.Serving.FirstOrDefault(v => v.Version == version && v.Fingerprint == fingerprint);
            if (existing is not null)
            {
                loaded.Add(existing);
                continue;
            }

            statuses[version] = new VersionStatus(version, ModelReadyState.Loading, "");
            entry.State = old with { Statuses = statuses.ToImmutable() };
            try
            {
                var loadStarted = Stopwatch.GetTimestamp();
                var residentBefore = definition.Backend is null ? 0 : Memory.ProcessMemory.ResidentBytes();
                var managedBefore = GC.GetTotalMemory(false);
                var loadedVersion = LoadVersion(definition, version, fingerprint);
                loadedVersion.LoadDuration = Stopwatch.GetElapsedTime(loadStarted);
                if (definition.Backend is not null)
                {
                    Memory.ProcessMemory.TrimNativeHeap();
                    loadedVersion.Footprint = new Memory.MemoryFootprint(
                        Math.Max(0, Memory.ProcessMemory.ResidentBytes() - residentBefore),
                        Math.Max(0, GC.GetTotalMemory(false) - managedBefore),
                        Memory.ProcessMemory.FolderBytes(repository.VersionPath(model, version)),
                        DeclaredBytes(definition.Config));
                }
                loaded.Add(loadedVersion);
                statuses[version] = new VersionStatus(version, ModelReadyState.Ready, "");
            }
            catch (InferenceException e)
            {
                failures.Add((version, e.Error));
            }
            catch (Exception e)
            {
                failures.Add((version, InferenceError.Internal(e.Message)));
            }
        }

        if (abandoned.IsCancellationRequested)
        {
            // The caller gave up on this load (timeout, shutdown): nothing it loaded may swap in.
            foreach (var version in loaded.Where(v => !old.Serving.Contains(v)))
            {
                version.Release();
            }

            return InferenceError.Unavailable($"failed to load '{model}': load abandoned");
        }

        // Versions that failed keep whatever served them before; if nothing new loaded, keep everything old.
        var serving = new List<LoadedVersion>(loaded);
        foreach (var (version, error) in failures)
        {
            var previous = old.Serving.FirstOrDefault(v => v.Version == version);
            if (previous is not null)
            {
                serving.Add(previous);
                statuses[version] = new VersionStatus(version, ModelReadyState.Ready, $"reload failed, previous load still serving: {error.Message}");
            }
            else
            {
                statuses[version] = new VersionStatus(version, ModelReadyState.Unavailable, error.Message);
            }
        }

        if (loaded.Count == 0)
        {
            foreach (var previous in old.Serving)
            {
                if (!serving.Contains(previous))
                {
                    serving.Add(previous);
                }
            }
        }

        serving.Sort((a, b) => a.Version.CompareTo(b.Version));
        foreach (var previous in old.Serving)
        {
            // A version replaced by a new load of the same number stays READY (the new one serves under it).
            if (!serving.Contains(previous) && !serving.Any(v => v.Version == previous.Version))
            {
                statuses[previous.Version] = new VersionStatus(previous.Version, ModelReadyState.Unavailable, "unloaded");
            }
        }

        entry.State = new ModelState([.. serving], statuses.ToImmutable(), definition.Config, "");
        foreach (var previous in old.Serving)
        {
            if (!serving.Contains(previous))
            {
                previous.Release();
            }
        }

        if (failures.Count > 0)
        {
            var message = $"failed to load '{model}' " + string.Join("; ", failures.Select(f => $"version {f.Version}: {f.Error.Message}"));
            ManagerLog.LoadFailed(_logger, model, message);
            return new InferenceError(failures[0].Error.Code == StatusCode.Internal ? StatusCode.Internal : StatusCode.InvalidArgument, message);
        }

        ManagerLog.Loaded(_logger, model, string.Join(",", wanted), ElapsedMs(started));
        return null;
    }

    private InferenceError RecordConfigFailure(ModelEntry entry, ModelRepository repository, ModelState old, InferenceError error)
    {
        var message = error.Message.StartsWith("failed to load", StringComparison.Ordinal)
            ? error.Message
            : $"failed to load '{entry.Name}': {error.Message}";
        var statuses = old.Statuses.ToBuilder();
        foreach (var v in old.Serving)
        {
            statuses[v.Version] = new VersionStatus(v.Version, ModelReadyState.Ready, $"reload failed, previous load still serving: {message}");
        }

        if (old.Serving.IsEmpty)
        {
            foreach (var version in repository.ListVersions(entry.Name))
            {
                statuses[version] = new VersionStatus(version, ModelReadyState.Unavailable, message);
            }
        }

        entry.State = old with { Statuses = statuses.ToImmutable(), ModelReason = old.Serving.IsEmpty ? message : "" };
        ManagerLog.LoadFailed(_logger, entry.Name, message);
        return error with { Message = message };
    }

    /// <summary>The size a config declares with <c>parameters { key: "memory_bytes" … }</c> (KServe ModelMesh's declared size), or 0.</summary>
    internal static long DeclaredBytes(ModelConfig config) =>
        config.Parameters.TryGetValue("memory_bytes", out var text)
        && long.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes)
            ? bytes
            : 0;

    private static string DescribePolicy(ModelVersionPolicy policy) => policy.Kind switch
    {
        ModelVersionPolicyKind.All => "all",
        ModelVersionPolicyKind.Specific => $"specific [{string.Join(",", policy.Versions)}]",
        _ => $"latest {policy.NumVersions}",
    };
}
