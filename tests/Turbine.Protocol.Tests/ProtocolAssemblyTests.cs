using Turbine.Protocol.Grpc;

namespace Turbine.Protocol.Tests;

public sealed class ProtocolAssemblyTests
{
    [Fact]
    public void References_NoTransport()
    {
        // Messages, stubs and tables only: the engine references this assembly and must stay transport-free.
        var references = typeof(Datatypes).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Google.Protobuf", references);
        Assert.DoesNotContain(references, n =>
            n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || n.StartsWith("Grpc.Net", StringComparison.Ordinal)
            || n.StartsWith("Grpc.AspNetCore", StringComparison.Ordinal)
            || n == "System.Net.Http");
    }

    [Fact]
    public void Stubs_ClientAndServiceBaseCompiledHere()
    {
        Assert.Same(typeof(Datatypes).Assembly, typeof(GRPCInferenceService.GRPCInferenceServiceBase).Assembly);
        Assert.Same(typeof(Datatypes).Assembly, typeof(GRPCInferenceService.GRPCInferenceServiceClient).Assembly);
        Assert.Same(typeof(Datatypes).Assembly, typeof(ModelInferRequest).Assembly);
    }
}
