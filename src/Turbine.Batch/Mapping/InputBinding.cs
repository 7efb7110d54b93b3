using Turbine.Batch.Scoring;
using Turbine.Batch.Tables;

namespace Turbine.Batch.Mapping;

/// <summary>Which input columns (indexes into the reader's schema) feed a model input, in order.</summary>
/// <param name="Spec">The model input.</param>
/// <param name="Columns">Column indexes, concatenated in this order.</param>
/// <param name="ColumnNames">Their names (for messages).</param>
internal sealed record InputBinding(TensorSpec Spec, int[] Columns, string[] ColumnNames);

/// <summary>Which model output becomes which output column.</summary>
/// <param name="Spec">The model output.</param>
/// <param name="Column">The output column.</param>
/// <param name="Scalar">Whether each row's value is one element (a scalar cell) rather than a list.</param>
internal sealed record OutputBinding(TensorSpec Spec, TableColumn Column, bool Scalar);
