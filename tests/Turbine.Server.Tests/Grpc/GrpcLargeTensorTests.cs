using Google.Protobuf;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Tests.Grpc;

/// <summary>Messages far above gRPC's 4 MB default go through ModelInfer both ways.</summary>
public sealed class GrpcLargeTensorTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    [Fact]
    public async Task ModelInfer_100MBFp32_RoundTripsBitExact()
    {
        const int count = 26_214_400; // 100 MiB of FP32
        var values = new float[count];
        var random = new Random(1234);
        for (var i = 0; i < count; i++)
        {
            values[i] = BitConverter.Int32BitsToSingle(random.Next()); // any bit pattern, NaN payloads included
        }

        var raw = GrpcTestClient.Bytes(values);
        using var c = new GrpcTestClient(fixture.Harness.Server.GrpcAddress);
        var request = new ModelInferRequest { ModelName = "identity_fp32", Id = "big" };
        request.Inputs.Add(GrpcTestClient.Input("INPUT0", "FP32", 1, count));
        request.RawInputContents.Add(raw);
        var response = await c.Client.ModelInferAsync(request, deadline: DateTime.UtcNow.AddMinutes(3));
        Assert.Equal("big", response.Id);
        Assert.Equal([1L, count], response.Outputs[0].Shape);
        var output = Assert.Single(response.RawOutputContents);
        Assert.Equal(raw.Length, output.Length);
        Assert.True(raw.Span.SequenceEqual(output.Span), "the 100 MB output differs from the input");
    }
}
