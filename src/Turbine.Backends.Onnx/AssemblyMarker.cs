namespace Turbine.Backends.Onnx;

internal static class AssemblyMarker
{
}
