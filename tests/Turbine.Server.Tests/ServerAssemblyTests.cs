namespace Turbine.Server.Tests;

public sealed class ServerAssemblyTests
{
    [Fact]
    public void Server_ReferencesProtocolNotTheClientSdk()
    {
        var references = typeof(TurbineServer).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("Turbine.Protocol", references);
        Assert.DoesNotContain("Turbine.Client", references);
    }
}
