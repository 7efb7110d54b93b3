namespace Turbine.Core.Lifecycle;

/// <summary>How models get loaded (Triton's <c>--model-control-mode</c>).</summary>
public enum ModelControlMode
{
    /// <summary>Load every model at start; the repository API cannot load or unload.</summary>
    None,

    /// <summary>Load every model at start and follow changes in the repository every poll interval.</summary>
    Poll,

    /// <summary>Load only the models named at start (<c>*</c> = all) and those loaded through the repository API.</summary>
    Explicit,
}
