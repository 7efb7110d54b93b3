namespace Turbine.Features.Materialization;

/// <summary>Progress of one feature view's materialization, reported after each row group.</summary>
public sealed record MaterializeProgress(string View, string File, int RowGroup, long RowsRead, long RowsWritten, bool Resumed);

/// <summary>What one feature view's materialization did.</summary>
public sealed record MaterializeResult(string View, DateTime Start, DateTime End, long RowsRead, long RowsInWindow, long EntitiesWritten, int RowGroupsSkipped);
