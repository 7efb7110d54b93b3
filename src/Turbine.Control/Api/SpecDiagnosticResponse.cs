namespace Turbine.Control.Api;

/// <summary>One error or warning about an applied spec, with its 1-based position in the YAML.</summary>
/// <param name="Line">The line.</param>
/// <param name="Column">The column.</param>
/// <param name="Path">The YAML path at fault (<c>spec.predictor.minReplicas</c>).</param>
/// <param name="Message">What is wrong.</param>
public sealed record SpecDiagnosticResponse(int Line, int Column, string Path, string Message)
{
    internal static SpecDiagnosticResponse From(Specs.SpecDiagnostic d) => new(d.Line, d.Column, d.Path, d.Message);
}
