using System.Net;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Turbine.Client;
using Turbine.Gateway.Tests.TestSupport;

namespace Turbine.Gateway.Tests.Proxy;

/// <summary>
/// Issue 12 at the gateway: a model the gateway cannot route is refused in Triton's words (item 1), and gRPC calls
/// through the gateway log no YARP warning about the body size limit while its own limits still hold (item 15).
/// </summary>
public sealed class GatewayTritonCompatibilityTests
{
    private static string SimpleOnly(GatewayHarness h, string extra = "") => $"""
        pools:
          main:
            replicas: [{h.Replica(0)}]
        models:
          simple:
            pool: main
        {extra}
        """;

    [Theory]
    [InlineData("POST", "v2/models/nope/infer")]
    [InlineData("GET", "v2/models/nope")]
    [InlineData("GET", "v2/models/nope/versions/3/ready")]
    public async Task Rest_UnroutedModel_400WithTritonsMessage(string method, string path)
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync(SimpleOnly(h));

        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent(GatewayHarness.SimpleJson());
        }

        using var response = await h.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"error\":\"Request for unknown model: 'nope' is not found\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Grpc_UnroutedModel_InvalidArgumentWithTritonsMessage()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync(SimpleOnly(h));
        using var client = new TurbineGrpcClient(h.Gateway!.GrpcAddress);

        var infer = await Assert.ThrowsAsync<TurbineClientException>(() => client.InferAsync("nope", GrpcClients.SimpleInputs()));
        var metadata = await Assert.ThrowsAsync<TurbineClientException>(() => client.GetModelMetadataAsync("nope"));

        Assert.Equal(StatusCode.InvalidArgument, infer.GrpcStatusCode);
        Assert.Equal("Request for unknown model: 'nope' is not found", infer.ServerMessage);
        Assert.Equal(StatusCode.InvalidArgument, metadata.GrpcStatusCode);
        Assert.Equal("Request for unknown model: 'nope' is not found", metadata.ServerMessage);
        Assert.Equal(1, (await client.InferAsync("simple", GrpcClients.SimpleInputs())).GetOutput("OUTPUT0").AsArray<int>()[0]); // a routed model still answers
    }

    [Fact]
    public async Task Grpc_CallsThroughTheGateway_NoBodySizeWarning()
    {
        var logs = new LogCollector();
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync(SimpleOnly(h), logging: l => l.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        using var client = new TurbineGrpcClient(h.Gateway!.GrpcAddress);

        // Unary (classified and buffered for retries), server-wide, and a stream: every kind of call the gateway reads first.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1, (await client.InferAsync("simple", GrpcClients.SimpleInputs())).GetOutput("OUTPUT0").AsArray<int>()[0]);
        }

        Assert.True(await client.IsLiveAsync());
        Assert.Equal("simple", (await client.GetModelMetadataAsync("simple")).Name);
        var answers = 0;
        await foreach (var answer in client.StreamInferAsync(StreamRequests()))
        {
            Assert.True(answer.IsSuccess, answer.Error?.Message);
            answers++;
        }

        Assert.Equal(2, answers);

        var warnings = logs.Lines.Where(l => l.Level >= LogLevel.Warning).Select(l => $"{l.Category}: {l.Message}").ToList();
        Assert.DoesNotContain(warnings, w => w.Contains("max request body size", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(warnings);
        Assert.Contains(logs.Lines, l => l.Category.StartsWith("Yarp", StringComparison.Ordinal)); // the collector did see YARP's own lines
    }

    private static async IAsyncEnumerable<InferStreamRequest> StreamRequests()
    {
        await Task.Yield();
        yield return new InferStreamRequest("simple", GrpcClients.SimpleInputs());
        yield return new InferStreamRequest("simple", GrpcClients.SimpleInputs());
    }

    [Fact]
    public async Task Grpc_LargeStreamedCall_StillBoundByTheGatewaysLimits()
    {
        await using var h = await GatewayHarness.StartServersAsync(1);
        await h.StartGatewayAsync(SimpleOnly(h, "limits: {maxClassificationBytes: 1024}"));
        using var client = new TurbineGrpcClient(h.Gateway!.GrpcAddress);

        // A 40 MB call (over Kestrel's default 30 MB body limit) still passes: the limit was lifted, not broken.
        var big = Enumerable.Range(0, 5_000_000).ToArray();
        var large = await Assert.ThrowsAsync<TurbineClientException>(() => client.InferAsync("simple",
        [
            new InferInput("INPUT0", [1, big.Length], "INT32").SetData(big),
            new InferInput("INPUT1", [1, big.Length], "INT32").SetData(big),
        ]));
        Assert.Equal(StatusCode.InvalidArgument, large.GrpcStatusCode); // the server's shape check: the body reached it
        Assert.Contains("INPUT0", large.ServerMessage, StringComparison.Ordinal);

        // The gateway's own limit still holds: a first message that does not name its model within
        // limits.maxClassificationBytes is refused before anything is forwarded.
        var padded = await Assert.ThrowsAsync<TurbineClientException>(() => client.InferAsync(new string('m', 3000), GrpcClients.SimpleInputs()));
        Assert.Equal(StatusCode.InvalidArgument, padded.GrpcStatusCode);
        Assert.Contains("limits.maxClassificationBytes", padded.ServerMessage, StringComparison.Ordinal);
    }
}
