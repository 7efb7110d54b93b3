namespace Turbine.Server;

internal static class AssemblyMarker
{
}
