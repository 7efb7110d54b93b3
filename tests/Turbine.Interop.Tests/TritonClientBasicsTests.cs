using Google.Protobuf;
using Grpc.Health.V1;
using Inference;

namespace Turbine.Interop.Tests;

/// <summary>The calls every Triton client makes first, through stubs generated from Triton's own protos.</summary>
public sealed class TritonClientBasicsTests(TritonServerFixture server) : IClassFixture<TritonServerFixture>
{
    private static readonly DateTime Deadline = DateTime.UtcNow.AddMinutes(10);

    [Fact]
    public async Task ServerMetadata_TritonStub_NamesServerAndExtensions()
    {
        var metadata = await server.Client.ServerMetadataAsync(new ServerMetadataRequest(), deadline: Deadline);
        Assert.Equal("turbine", metadata.Name);
        Assert.Contains("model_repository", metadata.Extensions);
    }

    [Fact]
    public async Task ModelInfer_SimpleRawContents_SumAndDifference()
    {
        var request = new ModelInferRequest { ModelName = "simple" };
        var a = Enumerable.Range(0, 16).ToArray();
        var b = Enumerable.Repeat(1, 16).ToArray();
        foreach (var (name, values) in new[] { ("INPUT0", a), ("INPUT1", b) })
        {
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT32", Shape = { 1, 16 } });
            request.RawInputContents.Add(ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())));
        }

        var response = await server.Client.ModelInferAsync(request, deadline: Deadline);
        var index = response.Outputs.Select((o, i) => (o.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var sum = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(response.RawOutputContents[index["OUTPUT0"]].Span).ToArray();
        var difference = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(response.RawOutputContents[index["OUTPUT1"]].Span).ToArray();
        Assert.Equal(a.Select(x => x + 1), sum);
        Assert.Equal(a.Select(x => x - 1), difference);
    }

    [Fact]
    public async Task ModelConfig_TritonStub_ParsesFullModelConfig()
    {
        var config = await server.Client.ModelConfigAsync(new ModelConfigRequest { Name = "simple" }, deadline: Deadline);
        Assert.Equal("simple", config.Config.Name);
        Assert.Equal(2, config.Config.Input.Count);
        Assert.Equal(DataType.TypeInt32, config.Config.Input[0].DataType);
    }

    [Fact]
    public async Task HealthCheck_TritonHealthProto_Serving()
    {
        var health = new Health.HealthClient(server.Channel);
        var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: Deadline);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }
}
