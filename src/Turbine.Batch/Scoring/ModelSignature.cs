using Turbine.Core.Tensors;

namespace Turbine.Batch.Scoring;

/// <summary>A model tensor as the batch job sees it: dims without the batch dimension (-1 variable).</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DataType">Element type.</param>
/// <param name="Dims">Dims without the batch dimension.</param>
public sealed record TensorSpec(string Name, TensorDataType DataType, long[] Dims);

/// <summary>What the job needs to know of the model before any work.</summary>
/// <param name="Name">Model name.</param>
/// <param name="MaxBatchSize">The model's max_batch_size (0: it does not batch; every request is one row).</param>
/// <param name="Inputs">Inputs.</param>
/// <param name="Outputs">Outputs.</param>
/// <param name="Instances">Instances serving it (sizes the default concurrency).</param>
public sealed record ModelSignature(string Name, int MaxBatchSize, IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs, int Instances);

/// <summary>A tensor sent or received: row-major bytes (BYTES elements 4-byte little-endian length-prefixed).</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DataType">Element type.</param>
/// <param name="Shape">Shape (batch dimension first when the model batches).</param>
/// <param name="Data">The elements.</param>
public sealed record BatchTensor(string Name, TensorDataType DataType, long[] Shape, ReadOnlyMemory<byte> Data);

/// <summary>A request failed as a whole (the model unloaded, the server unreachable): the part is retried.</summary>
public sealed class BatchScoringException : Exception
{
    public BatchScoringException()
    {
    }

    public BatchScoringException(string message)
        : base(message)
    {
    }

    public BatchScoringException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Runs the model: in-process through the engine, or remotely through the client SDK.</summary>
public interface IBatchScorer
{
    /// <summary>The model's signature.</summary>
    /// <param name="cancellationToken">Stops the call.</param>
    Task<ModelSignature> GetSignatureAsync(CancellationToken cancellationToken);

    /// <summary>One inference over a batch of rows.</summary>
    /// <param name="inputs">The batched inputs.</param>
    /// <param name="outputs">Outputs to return.</param>
    /// <param name="classification">Top-k classes per output (0: the raw tensor).</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <exception cref="BatchScoringException">The request failed.</exception>
    Task<IReadOnlyList<BatchTensor>> InferAsync(IReadOnlyList<BatchTensor> inputs, IReadOnlyList<string> outputs, int classification, CancellationToken cancellationToken);
}
