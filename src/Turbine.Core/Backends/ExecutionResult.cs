using Turbine.Core.Tensors;

namespace Turbine.Core.Backends;

/// <summary>Outputs of one execution with the time spent in each phase, in nanoseconds.</summary>
public sealed record ExecutionResult(
    List<InferenceTensor> Outputs,
    long ComputeInputNs,
    long ComputeInferNs,
    long ComputeOutputNs);
