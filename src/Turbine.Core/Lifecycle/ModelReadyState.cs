namespace Turbine.Core.Lifecycle;

/// <summary>Lifecycle state of one model version, as reported by the repository index.</summary>
public enum ModelReadyState
{
    Unknown,
    Loading,
    Ready,
    Unloading,
    Unavailable,
}
