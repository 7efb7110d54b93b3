namespace Turbine.Backend;

/// <summary>Business-logic scripting: calls another loaded model from inside <see cref="ITurbineModel.ExecuteAsync"/>.</summary>
public interface IModelClient
{
    /// <summary>
    /// Runs one request on model <paramref name="modelName"/> and returns its outputs (dispose the result when done
    /// with them: they may point into the other model's buffers). A failure throws <see cref="ModelCallException"/>
    /// with the other model's error.
    /// </summary>
    /// <param name="modelName">The model to call.</param>
    /// <param name="inputs">Its inputs (batch dimension first when it batches).</param>
    /// <param name="outputs">The outputs wanted; null or empty for all.</param>
    /// <param name="version">The version; null for the newest ready.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<InferResult> InferAsync(string modelName, IReadOnlyList<Tensor> inputs, IReadOnlyList<string>? outputs = null,
        long? version = null, CancellationToken cancellationToken = default);
}
