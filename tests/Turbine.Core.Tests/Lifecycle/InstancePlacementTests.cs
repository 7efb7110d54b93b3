using Turbine.Core.Config;
using Turbine.Core.Lifecycle;

namespace Turbine.Core.Tests.Lifecycle;

/// <summary>Instances per group and device, as Triton places them.</summary>
public sealed class InstancePlacementTests
{
    [Fact]
    public void Of_KindGpuWithGpus_CountInstancesOnEachListedDevice()
    {
        var group = new ModelInstanceGroup { Name = "resnet", Count = 2, Kind = ModelInstanceKind.Gpu, Gpus = [1, 3] };

        var placements = InstancePlacement.Of(group).ToList();

        Assert.Equal(
            [
                new InstancePlacement("resnet_0", ModelInstanceKind.Gpu, 1),
                new InstancePlacement("resnet_1", ModelInstanceKind.Gpu, 1),
                new InstancePlacement("resnet_2", ModelInstanceKind.Gpu, 3),
                new InstancePlacement("resnet_3", ModelInstanceKind.Gpu, 3),
            ],
            placements);
    }

    [Fact]
    public void Of_KindGpuWithoutGpus_CountInstancesOnDeviceZero()
    {
        var placements = InstancePlacement.Of(new ModelInstanceGroup { Name = "g", Count = 2, Kind = ModelInstanceKind.Gpu }).ToList();

        Assert.Equal([new InstancePlacement("g_0", ModelInstanceKind.Gpu, 0), new InstancePlacement("g_1", ModelInstanceKind.Gpu, 0)], placements);
    }

    [Theory]
    [InlineData(ModelInstanceKind.Cpu, ModelInstanceKind.Cpu)]
    [InlineData(ModelInstanceKind.Auto, ModelInstanceKind.Cpu)]
    [InlineData(ModelInstanceKind.Model, ModelInstanceKind.Model)]
    public void Of_HostKinds_CountInstancesOnTheHost(ModelInstanceKind kind, ModelInstanceKind placed)
    {
        var placements = InstancePlacement.Of(new ModelInstanceGroup { Name = "c", Count = 3, Kind = kind }).ToList();

        Assert.Equal(["c_0", "c_1", "c_2"], placements.Select(p => p.InstanceName));
        Assert.All(placements, p => Assert.Equal((placed, 0), (p.Kind, p.DeviceId)));
    }
}
