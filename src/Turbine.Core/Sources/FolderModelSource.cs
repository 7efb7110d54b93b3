using Turbine.Core.Repository;

namespace Turbine.Core.Sources;

/// <summary>
/// A Triton-layout model repository on the local file system as a model source, or a path that is one model (a model
/// folder or an <c>.onnx</c> file, as KServe's storage initializer leaves <c>/mnt/models</c>; see
/// <see cref="ModelRepository.Open"/>). With a poll interval
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
    /// <param name="singleModelName">The name a single-model layout is served under (<see cref="ModelRepository.Open"/>).</param>
    public FolderModelSource(string root, TimeSpan? pollInterval = null, TimeProvider? time = null, string? singleModelName = null)
    {
        if (pollInterval is { } interval && interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), interval, "the poll interval must be positive");
        }

        Repository = ModelRepository.Open(root, singleModelName);
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
    public Result<ModelSourceLocation> Locate(string model)
    {
        if (!Repository.Contains(model))
        {
            return InferenceError.NotFound(Repository.Layout == ModelRepositoryLayout.Repository
                ? $"failed to load '{model}': no model folder '{model}' in repository '{Repository.Root}'"
                : $"failed to load '{model}': repository '{Repository.Root}' is one model, '{Repository.ListModels()[0]}'");
        }

        // One file in place: the configuration names it (there is no config.pbtxt beside it by this layout's rule).
        return Result<ModelSourceLocation>.Ok(new ModelSourceLocation(Repository,
            Repository.ModelFileName is { } file ? ModelFileConfig(file) : null));
    }

    private static string ModelFileConfig(string fileName)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("default_model_filename", fileName);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

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
