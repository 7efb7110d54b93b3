using Turbine.Core.Tensors;

namespace Turbine.Core.Backends;

/// <summary>One loaded execution instance. One call at a time: the scheduler owns the concurrency.</summary>
public interface IModelInstance : IDisposable
{
    string Name { get; }

    /// <summary>
    /// Runs the model on validated inputs (shapes already in the model's own layout) and returns the asked
    /// outputs. Each output owns its memory. Failures throw <see cref="InferenceException"/>.
    /// </summary>
    ExecutionResult Execute(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken);
}
