using Turbine.Core.Tensors;

namespace Turbine.Core.Tests;

public sealed class CoreAssemblyTests
{
    [Fact]
    public void Engine_UsesProtocolTablesButNoTransportOrGeneratedMessages()
    {
        var references = typeof(TensorDataType).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("Turbine.Protocol", references);
        Assert.DoesNotContain(references, n =>
            n.StartsWith("Grpc", StringComparison.Ordinal)
            || n.StartsWith("Google.Protobuf", StringComparison.Ordinal)
            || n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || n == "System.Net.Http");
    }
}
