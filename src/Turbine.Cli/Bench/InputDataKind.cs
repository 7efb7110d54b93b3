namespace Turbine.Cli.Bench;

/// <summary>Where input values come from: random (seeded), zeros, or a JSON file.</summary>
internal enum InputDataKind
{
    Random,
    Zero,
    File,
}
