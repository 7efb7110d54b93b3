namespace Turbine.Samples;

internal static class AssemblyMarker
{
}
