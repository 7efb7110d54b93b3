using Turbine.Core.Tensors;

namespace Turbine.Core.Backends;

/// <summary>
/// An instance of a decoupled model (<c>model_transaction_policy { decoupled: true }</c>): it answers a request with
/// zero, one or many responses through <see cref="IDecoupledResponseWriter"/>, the last carrying the final flag.
/// </summary>
public interface IDecoupledModelInstance : IModelInstance
{
    /// <summary>
    /// Runs the model on one request and returns once every response of it, the final flag included, has been
    /// sent through <paramref name="writer"/>. The returned result carries the compute times; its outputs are empty.
    /// Failures throw <see cref="InferenceException"/>.
    /// </summary>
    /// <param name="inputs">The request's inputs, valid until this call returns.</param>
    /// <param name="outputNames">The outputs the client asked for.</param>
    /// <param name="writer">Where the responses go.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away.</param>
    ExecutionResult ExecuteDecoupled(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames,
        IDecoupledResponseWriter writer, CancellationToken cancellationToken);
}
