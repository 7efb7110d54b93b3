namespace Turbine.Monitoring.Profiles;

/// <summary>How a feature is profiled and tested: Evidently's "num" and "cat".</summary>
public enum FeatureKind
{
    Numeric,
    Categorical,
}
