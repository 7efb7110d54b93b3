using Turbine.Core;
using Turbine.Core.Sources;

namespace Turbine.Server.Registry;

/// <summary>The registry as the engine's model source: what it offers, where a load reads, and its polling as the change signal.</summary>
internal sealed partial class RegistrySync
{
    /// <summary>The engine this source signals, once <see cref="StartAsync"/> attached it.</summary>
    private IModelSourceSink Sink => _sink ?? throw new InvalidOperationException("the registry source is not started: the engine calls StartAsync first");

    /// <summary>The models materialized in the cache's repository (what the repository index lists).</summary>
    public IReadOnlyList<string> ListModels() => _repository.ListModels();

    /// <inheritdoc/>
    public bool Contains(string model) => _repository.Contains(model);

    /// <summary>The cache's repository folder, with the config of the version last materialized for the model.</summary>
    public Result<ModelSourceLocation> Locate(string model) =>
        _repository.Contains(model)
            ? Result<ModelSourceLocation>.Ok(new ModelSourceLocation(_repository, _configs.GetValueOrDefault(model)))
            : InferenceError.NotFound($"failed to load '{model}': no model folder '{model}' in repository '{_repository.Root}'");

    /// <summary>Polls every reference (<see cref="StartPolling"/>) until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task WatchAsync(IModelSourceSink sink, CancellationToken cancellationToken)
    {
        _sink ??= sink;
        StartPolling();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(() => stopped.TrySetResult()))
        {
            await Task.WhenAny(_loop!, stopped.Task).ConfigureAwait(false);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _loop!.ConfigureAwait(false);
        }
    }
}
