using Turbine.Core.Tensors;

namespace Turbine.Core.Scheduling;

/// <summary>
/// What a scheduler needs to run one validated request. A struct (issue 22, P7 round 3): the instance pool runs it
/// synchronously without storing it, so it costs no allocation there; the batchers copy it into their queue entries.
/// </summary>
/// <param name="Inputs">Inputs in the model's own layout (reshape applied), batch dimension first when the model batches.</param>
/// <param name="OutputNames">The outputs to return.</param>
/// <param name="BatchSize">The request's batch size (its inputs' first dimension; 1 for a non-batching model).</param>
/// <param name="Priority">The request's <c>priority</c> parameter: 0 is the model's default level, 1 the highest.</param>
/// <param name="TimeoutMicroseconds">The request's <c>timeout</c> parameter; 0 when it set none.</param>
/// <param name="Sequence">The request's sequence parameters (read for stateful models only); null when it names no sequence.</param>
/// <param name="Decoupled">Where a decoupled model's responses go (the instance pool runs it with <see cref="Backends.IDecoupledModelInstance.ExecuteDecoupled"/>); null for an ordinary model.</param>
/// <param name="Origin">The engine request this one came from (a graph passes its parameters on to its steps); null for warmup.</param>
internal readonly record struct ScheduleRequest(
    IReadOnlyList<InferenceTensor> Inputs,
    IReadOnlyList<string> OutputNames,
    long BatchSize,
    long Priority = 0,
    long TimeoutMicroseconds = 0,
    SequenceRequest? Sequence = null,
    InferenceRequest? Origin = null,
    Backends.IDecoupledResponseWriter? Decoupled = null);
