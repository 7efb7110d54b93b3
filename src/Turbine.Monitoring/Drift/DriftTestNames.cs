namespace Turbine.Monitoring.Drift;

/// <summary>Names of the drift tests (Evidently's names), their kind and default thresholds.</summary>
public static class DriftTestNames
{
    public const string KolmogorovSmirnov = "ks";
    public const string ChiSquare = "chisquare";
    public const string ProportionZ = "z";
    public const string Wasserstein = "wasserstein";
    public const string JensenShannon = "jensenshannon";
    public const string Psi = "psi";

    public static readonly IReadOnlyList<string> All = [KolmogorovSmirnov, ChiSquare, ProportionZ, Wasserstein, JensenShannon, Psi];

    /// <summary>True for tests whose score is a p-value (drift when below the threshold); distances drift at or above it.</summary>
    public static bool IsPValue(string test) => test is KolmogorovSmirnov or ChiSquare or ProportionZ;

    /// <summary>Evidently's defaults: 0.05 for p-values, 0.1 for distances and PSI.</summary>
    public static double DefaultThreshold(string test) => IsPValue(test) ? 0.05 : 0.1;

    /// <summary>Whether the test applies to numeric ("num") or categorical ("cat") features.</summary>
    public static bool Applies(string test, Profiles.FeatureKind kind) =>
        test is not (KolmogorovSmirnov or Wasserstein) || kind == Profiles.FeatureKind.Numeric;
}
