using Turbine.Core.Tensors;

namespace Turbine.Core.Backends;

/// <summary>
/// Outputs of one execution with the time spent in each phase, in nanoseconds. A struct: it is passed up the scheduler
/// and unpacked, never stored, so it costs no allocation per request (issue 22, P7).
/// </summary>
public readonly record struct ExecutionResult(
    List<InferenceTensor> Outputs,
    long ComputeInputNs,
    long ComputeInferNs,
    long ComputeOutputNs);
