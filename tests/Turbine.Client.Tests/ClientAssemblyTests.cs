using Turbine.Client.Registry;
using Turbine.Protocol.Grpc;

namespace Turbine.Client.Tests;

public sealed class ClientAssemblyTests
{
    private static readonly System.Reflection.Assembly Sdk = typeof(TurbineHttpClient).Assembly;

    [Fact]
    public void Sdk_DoesNotShipTheServiceBaseClassOrTheMessages()
    {
        Assert.DoesNotContain(Sdk.GetTypes(), t => t.Name == nameof(GRPCInferenceService.GRPCInferenceServiceBase));
        Assert.DoesNotContain(Sdk.GetTypes(), t => t.Namespace == "Turbine.Protocol.Grpc");
        Assert.NotSame(Sdk, typeof(GRPCInferenceService.GRPCInferenceServiceBase).Assembly);
        Assert.Contains(Sdk.GetReferencedAssemblies(), a => a.Name == "Turbine.Protocol");
    }

    [Fact]
    public void Sdk_ForwardsEveryPublicRegistryClientType()
    {
        var registryTypes = typeof(RegistryClient).Assembly.GetExportedTypes().Where(t => !t.IsNested).ToHashSet();
        var forwarded = Sdk.GetForwardedTypes().ToHashSet();

        Assert.NotEmpty(registryTypes);
        Assert.Equal("Turbine.Client.Registry", typeof(RegistryClient).Namespace);
        Assert.Subset(forwarded, registryTypes);
    }
}
