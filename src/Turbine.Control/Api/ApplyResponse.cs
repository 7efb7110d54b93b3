namespace Turbine.Control.Api;

/// <summary>The answer to an apply.</summary>
/// <param name="Name">The deployment.</param>
/// <param name="Generation">Its generation after the apply.</param>
/// <param name="Result"><c>created</c>, <c>configured</c> (a new generation) or <c>unchanged</c> (the same YAML again).</param>
/// <param name="Warnings">Fields accepted but ignored on this runtime (Kubernetes-only), with positions.</param>
public sealed record ApplyResponse(string Name, long Generation, string Result, IReadOnlyList<SpecDiagnosticResponse> Warnings);
