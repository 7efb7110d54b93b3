namespace Turbine.Core.Graphs;

/// <summary>The tensors one ensemble step reads (composing input name → tensor index) and writes (composing output name → tensor index).</summary>
internal sealed record StepBinding((string Name, int TensorId)[] Reads, (string Name, int TensorId)[] Writes);
