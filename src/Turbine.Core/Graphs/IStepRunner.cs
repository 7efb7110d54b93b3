namespace Turbine.Core.Graphs;

/// <summary>
/// Runs one request of a graph step on a loaded model through that model's own scheduler (so its dynamic batcher
/// batches steps of many graph requests together) and records it in that model's statistics. The engine implements it.
/// </summary>
internal interface IStepRunner
{
    /// <summary>
    /// Runs <paramref name="request"/> (which the caller keeps and disposes) and adds its queue and compute times to
    /// <paramref name="times"/>. The response holds the composing model version until it is disposed.
    /// </summary>
    ValueTask<Result<InferenceResponse>> RunStepAsync(InferenceRequest request, StepTimes times, CancellationToken cancellationToken);

    /// <summary>The config of a serving model version (null = the newest), so a routing step can pick the payload tensors the model takes.</summary>
    Result<Config.ModelConfig> GetModelConfig(string model, long? version);

    /// <summary>Under a memory budget, loads the model if it is not loaded (see <see cref="InferenceEngine.EnsureModelLoadedAsync"/>).</summary>
    ValueTask<InferenceError?> EnsureModelLoadedAsync(string model, long? version, CancellationToken cancellationToken);
}
