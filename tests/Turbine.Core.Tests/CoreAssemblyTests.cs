using Turbine.Core.Tensors;

namespace Turbine.Core.Tests;

public sealed class CoreAssemblyTests
{
    [Fact]
    public void Engine_UsesProtocolTablesButNoFrontEndTransportOrGeneratedMessages()
    {
        // Referencing Turbine.Protocol must not pull gRPC, protobuf or ASP.NET Core into the engine. (The payload
        // log's HTTP sink uses HttpClient; that is the engine's own output, not a front end.)
        var references = typeof(TensorDataType).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Turbine.Protocol", references);
        Assert.DoesNotContain(references, n =>
            n.StartsWith("Grpc", StringComparison.Ordinal)
            || n.StartsWith("Google.Protobuf", StringComparison.Ordinal)
            || n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
