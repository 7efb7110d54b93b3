namespace Turbine.Client;

internal static class AssemblyMarker
{
}
