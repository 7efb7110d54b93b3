namespace Turbine.Core.Config;

/// <summary>Triton <c>ModelInstanceGroup.Kind</c>; text names <c>KIND_AUTO</c>, <c>KIND_GPU</c>, <c>KIND_CPU</c>, <c>KIND_MODEL</c>.</summary>
public enum ModelInstanceKind
{
    Auto = 0,
    Gpu = 1,
    Cpu = 2,
    Model = 3,
}
