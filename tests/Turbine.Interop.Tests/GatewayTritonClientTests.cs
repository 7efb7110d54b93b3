using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;

namespace Turbine.Interop.Tests;

/// <summary>
/// Issue 12 through a real <c>turbine gateway</c> process in front of a real <c>turbine serve</c>, driven by the stubs
/// generated from Triton's own protos: an unroutable model is refused in Triton's words (item 1), and gRPC calls leave
/// no YARP body-size warning in the gateway's log (item 15).
/// </summary>
public sealed class GatewayTritonClientTests(TritonServerFixture server) : IClassFixture<TritonServerFixture>, IAsyncLifetime
{
    private static readonly DateTime Deadline = DateTime.UtcNow.AddMinutes(10);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "turbine-interop-gw-" + Guid.NewGuid().ToString("N"));
    private TurbineProcess _gateway = null!;
    private GrpcChannel _channel = null!;
    private HttpClient _http = null!;
    private GRPCInferenceService.GRPCInferenceServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var config = Path.Combine(_directory, "gateway.yaml");
        await File.WriteAllTextAsync(config, $"""
            pools:
              main:
                replicas: [{"{"}http: "{server.Http.ToString().TrimEnd('/')}", grpc: "{server.Grpc.ToString().TrimEnd('/')}"{"}"}]
            models:
              simple: {"{"}pool: main{"}"}
            """);
        _gateway = TurbineProcess.Start(["gateway", "--config", config, "--port", "0", "--grpc-port", "0"]);
        var (http, grpc) = await _gateway.WaitForGatewayReadyAsync(TimeSpan.FromSeconds(90));
        _http = new HttpClient { BaseAddress = http, Timeout = TimeSpan.FromSeconds(60) };
        _channel = GrpcChannel.ForAddress(grpc);
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        _http.Dispose();
        await _gateway.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static ModelInferRequest Simple(string model = "simple")
    {
        var request = new ModelInferRequest { ModelName = model };
        foreach (var (name, values) in new[] { ("INPUT0", Enumerable.Range(0, 16).ToArray()), ("INPUT1", Enumerable.Repeat(1, 16).ToArray()) })
        {
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT32", Shape = { 1, 16 } });
            request.RawInputContents.Add(ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())));
        }

        return request;
    }

    [Fact]
    public async Task UnroutedModel_TritonStubAndRest_InvalidArgumentInTritonsWords()
    {
        var grpc = await Assert.ThrowsAsync<RpcException>(() => _client.ModelInferAsync(Simple("nope"), deadline: Deadline).ResponseAsync);
        var ready = await Assert.ThrowsAsync<RpcException>(() => _client.ModelReadyAsync(new ModelReadyRequest { Name = "nope" }, deadline: Deadline).ResponseAsync);
        using var rest = await _http.PostAsync("v2/models/nope/infer", new StringContent("{\"inputs\":[]}"));

        Assert.Equal(StatusCode.InvalidArgument, grpc.StatusCode);
        Assert.Equal("Request for unknown model: 'nope' is not found", grpc.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, ready.StatusCode);
        Assert.Equal("Request for unknown model: 'nope' is not found", ready.Status.Detail);
        Assert.Equal(HttpStatusCode.BadRequest, rest.StatusCode);
        Assert.Equal("{\"error\":\"Request for unknown model: 'nope' is not found\"}", await rest.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GrpcCalls_ThroughTheGatewayProcess_NoBodySizeWarningInItsLog()
    {
        for (var i = 0; i < 5; i++)
        {
            var response = await _client.ModelInferAsync(Simple(), deadline: Deadline);
            Assert.Equal(2, response.Outputs.Count);
        }

        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "simple" }, deadline: Deadline)).Ready);
        using (var stream = _client.ModelStreamInfer(deadline: Deadline))
        {
            await stream.RequestStream.WriteAsync(Simple());
            await stream.RequestStream.WriteAsync(Simple());
            await stream.RequestStream.CompleteAsync();
            var answers = 0;
            while (await stream.ResponseStream.MoveNext(CancellationToken.None))
            {
                Assert.Equal("", stream.ResponseStream.Current.ErrorMessage);
                answers++;
            }

            Assert.Equal(2, answers);
        }

        // Stop the gateway so every line it logged has been written before the output is read.
        _gateway.Terminate();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await _gateway.WaitForExitAsync(timeout.Token));
        Assert.DoesNotContain("max request body size", _gateway.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("warn:", _gateway.Output, StringComparison.Ordinal);
    }
}
