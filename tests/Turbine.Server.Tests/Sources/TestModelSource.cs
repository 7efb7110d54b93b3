using System.Collections.Concurrent;
using Turbine.Core;
using Turbine.Core.Repository;
using Turbine.Core.Sources;

namespace Turbine.Server.Tests.Sources;

/// <summary>
/// A model source written for tests the way a new source would be: it offers the models of a folder it owns that the
/// test has put on offer (each with an optional configuration it decides), and signals the engine when the test offers or
/// withdraws one. Nothing in the server knows this type.
/// </summary>
internal sealed class TestModelSource : IModelSource
{
    private readonly ModelRepository _folder;
    private readonly ConcurrentDictionary<string, string?> _offered = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<IModelSourceSink> _watching = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _watchStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TestModelSource(string folder)
    {
        _folder = new ModelRepository(folder);
    }

    /// <summary>Completes when the engine's watch of this source was cancelled (the server stopped).</summary>
    public Task WatchStopped => _watchStopped.Task;

    /// <summary>Puts a model of the folder on offer before the server starts, with the configuration to load it with.</summary>
    public void Offer(string model, string? configJson = null) => _offered[model] = configJson;

    /// <summary>Puts a model on offer while the server runs and signals the engine, as a source that changed does.</summary>
    public async Task<InferenceError?> OfferAsync(string model)
    {
        Offer(model);
        var sink = await _watching.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return await sink.LoadAsync(model, CancellationToken.None);
    }

    /// <summary>Withdraws a model and signals the engine.</summary>
    public async Task<InferenceError?> WithdrawAsync(string model)
    {
        _offered.TryRemove(model, out _);
        var sink = await _watching.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return await sink.UnloadAsync(model, CancellationToken.None);
    }

    public IReadOnlyList<string> ListModels() => [.. _offered.Keys.Order(StringComparer.Ordinal)];

    public bool Contains(string model) => _offered.ContainsKey(model);

    public Result<ModelSourceLocation> Locate(string model) =>
        _offered.TryGetValue(model, out var config)
            ? Result<ModelSourceLocation>.Ok(new ModelSourceLocation(_folder, config))
            : InferenceError.NotFound($"the test source does not offer '{model}'");

    public Task StartAsync(IModelSourceSink sink, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task WatchAsync(IModelSourceSink sink, CancellationToken cancellationToken)
    {
        _watching.TrySetResult(sink);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        finally
        {
            _watchStopped.TrySetResult();
        }
    }
}
