namespace Turbine.Control.Specs;

/// <summary>
/// A deployment as the user declared it in a KServe <c>InferenceService</c>: immutable, validated by
/// <see cref="InferenceServiceParser"/>. <see cref="Annotations"/> keeps every annotation as written (the
/// <c>turbine.dev/</c> ones too); <see cref="Turbine"/> is their parsed form with defaults filled in.
/// </summary>
public sealed record DeploymentSpec(
    string Name,
    IReadOnlyDictionary<string, string> Annotations,
    PredictorSpec Predictor,
    TurbineSettings Turbine);
