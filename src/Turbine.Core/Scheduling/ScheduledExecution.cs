using Turbine.Core.Backends;

namespace Turbine.Core.Scheduling;

/// <summary>
/// A request's execution result (its own outputs; the compute times are those of the batch it ran in) and how
/// long the request waited before its batch started, in nanoseconds.
/// </summary>
internal readonly record struct ScheduledExecution(ExecutionResult Result, long QueueNs);
