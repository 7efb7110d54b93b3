using Turbine.Core.Repository;

namespace Turbine.Core.Sources;

/// <summary>
/// A Triton-layout model repository on the local file system as a model source. With a poll interval
/// (<c>--model-control-mode poll</c>) it signals a re-read of the folder every interval on the injected clock; without
/// one it never signals (control modes <c>none</c> and <c>explicit</c>).
/// </summary>
public sealed class FolderModelSource : IModelSource
{
    private readonly TimeSpan? _pollInterval;
    private readonly TimeProvider _time;

    /// <param name="root">The repository folder.</param>
    /// <param name="pollInterval">How often to re-read the folder; null never re-reads it.</param>
    /// <param name="time">The clock the poll runs on; default the system clock.</param>
    public FolderModelSource(string root, TimeSpan? pollInterval = null, TimeProvider? time = null)
    {
        if (pollInterval is { } interval && interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), interval, "the poll interval must be positive");
        }

        Repository = new ModelRepository(root);
        _pollInterval = pollInterval;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The repository folder.</summary>
    public ModelRepository Repository { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> ListModels() => Repository.ListModels();

    /// <inheritdoc/>
    public bool Contains(string model) => Repository.Contains(model);

    /// <inheritdoc/>
    public Result<ModelSourceLocation> Locate(string model) =>
        Repository.Contains(model)
            ? Result<ModelSourceLocation>.Ok(new ModelSourceLocation(Repository))
            : InferenceError.NotFound($"failed to load '{model}': no model folder '{model}' in repository '{Repository.Root}'");

    /// <inheritdoc/>
    public Task StartAsync(IModelSourceSink sink, CancellationToken cancellationToken) =>
        Directory.Exists(Repository.Root)
            ? Task.CompletedTask
            : Task.FromException(new DirectoryNotFoundException($"model repository '{Repository.Root}' does not exist"));

    /// <inheritdoc/>
    public async Task WatchAsync(IModelSourceSink sink, CancellationToken cancellationToken)
    {
        if (_pollInterval is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await sink.SynchronizeAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
