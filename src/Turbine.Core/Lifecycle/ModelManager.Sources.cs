using Turbine.Core.Repository;
using Turbine.Core.Sources;

namespace Turbine.Core.Lifecycle;

/// <summary>The manager as the sink its <see cref="IModelSource"/> signals changes to.</summary>
internal sealed partial class ModelManager
{
    Task<InferenceError?> IModelSourceSink.LoadAsync(string model, CancellationToken cancellationToken) =>
        LoadAsync(model, null, null, cancellationToken);

    Task<InferenceError?> IModelSourceSink.UnloadAsync(string model, CancellationToken cancellationToken) =>
        UnloadAsync(model, cancellationToken);

    async Task<IReadOnlyList<string>> IModelSourceSink.SynchronizeAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await PollOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            EngineLog.PollFailed(_logger, e);
            return [];
        }
    }

    /// <summary>The folder the source would load the model from now, or null when it does not offer it.</summary>
    private ModelRepository? SourceFolder(string model)
    {
        var located = _source.Locate(model);
        return located.IsOk ? located.Value.Repository : null;
    }
}
