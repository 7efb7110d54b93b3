using Turbine.Server.Tests.Grpc;

namespace Turbine.Server.Tests.Http;

/// <summary>The server identity (<c>--id</c>) in both server-metadata answers, and its validation.</summary>
public sealed class ServerIdTests
{
    [Fact]
    public async Task ServerMetadata_IdSet_RestAndGrpcNameIt()
    {
        await using var h = await ServerHarness.StartAsync(configure: o => o with { Engine = o.Engine with { ServerName = "triton" } });
        var (status, body) = await h.GetJsonAsync("/v2");
        Assert.Equal(200, status);
        Assert.Equal("triton", body.GetProperty("name").GetString());
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        Assert.Equal("triton", (await c.Client.ServerMetadataAsync(new Protocol.Grpc.ServerMetadataRequest())).Name);
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("tab\there", "printable ASCII")]
    [InlineData("é", "printable ASCII")]
    public void Validate_BadId_NamesTheProblem(string id, string message)
    {
        var problems = new ServerOptions { Engine = new() { ModelRepository = "/nowhere", ServerName = id } }.Validate();
        Assert.Contains(problems, p => p.Contains(message, StringComparison.Ordinal) && p.Contains("--id", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_IdTooLong_NamesTheLimit()
    {
        var problems = new ServerOptions { Engine = new() { ModelRepository = "/nowhere", ServerName = new string('a', ServerOptions.MaxServerIdLength + 1) } }.Validate();
        Assert.Contains(problems, p => p.Contains($"at most {ServerOptions.MaxServerIdLength}", StringComparison.Ordinal));
        Assert.Empty(new ServerOptions { Engine = new() { ModelRepository = "/nowhere", ServerName = "my triton-2" } }.Validate());
    }
}
