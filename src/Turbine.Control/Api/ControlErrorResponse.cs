namespace Turbine.Control.Api;

/// <summary>
/// Every error answer: <c>{"error", "code", "diagnostics"}</c> (the registry's shape, plus the spec's diagnostics with
/// their positions for a 422).
/// </summary>
/// <param name="Error">What went wrong, in words.</param>
/// <param name="Code">A stable machine code (<c>invalid_spec</c>, <c>not_found</c>, <c>conflict</c>, …).</param>
/// <param name="Diagnostics">For <c>invalid_spec</c>: every error with its line and column.</param>
public sealed record ControlErrorResponse(string Error, string Code, IReadOnlyList<SpecDiagnosticResponse>? Diagnostics = null);
