namespace Turbine.Registry.Domain;

/// <summary>The lifecycle stage of a model version.</summary>
internal enum ModelStage
{
    None,
    Staging,
    Production,
    Archived,
}
