using Turbine.Core.Config;

namespace Turbine.Core.Lifecycle;

/// <summary>
/// Where each instance of an instance group runs, as Triton places them: a KIND_GPU group puts <c>count</c> instances
/// on each device its <c>gpus</c> lists (device 0 when it lists none: Turbine does not enumerate GPUs, docs/gpu.md);
/// KIND_CPU and KIND_MODEL groups put <c>count</c> instances on the host; KIND_AUTO runs on the CPU. Names are
/// <c>{group}_{n}</c>, n counting every instance of the group.
/// </summary>
internal readonly record struct InstancePlacement(string InstanceName, ModelInstanceKind Kind, int DeviceId)
{
    public static IEnumerable<InstancePlacement> Of(ModelInstanceGroup group)
    {
        var kind = group.Kind == ModelInstanceKind.Auto ? ModelInstanceKind.Cpu : group.Kind;
        IReadOnlyList<int> devices = kind == ModelInstanceKind.Gpu && !group.Gpus.IsEmpty ? group.Gpus : [0];
        var n = 0;
        foreach (var device in devices)
        {
            for (var i = 0; i < group.Count; i++)
            {
                yield return new InstancePlacement($"{group.Name}_{n++}", kind, device);
            }
        }
    }
}
