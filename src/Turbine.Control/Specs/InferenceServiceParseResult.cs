namespace Turbine.Control.Specs;

/// <summary>
/// What <see cref="InferenceServiceParser.Parse"/> found: the spec when there are no errors, otherwise every error with
/// its position; warnings (fields ignored on this runtime) either way.
/// </summary>
public sealed record InferenceServiceParseResult(
    DeploymentSpec? Spec,
    IReadOnlyList<SpecDiagnostic> Errors,
    IReadOnlyList<SpecDiagnostic> Warnings)
{
    public bool Succeeded => Spec is not null && Errors.Count == 0;
}
