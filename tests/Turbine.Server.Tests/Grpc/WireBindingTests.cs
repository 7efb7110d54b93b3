using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Core;
using Turbine.Protocol.Grpc;
using Turbine.Server.Grpc;

namespace Turbine.Server.Tests.Grpc;

/// <summary>
/// The running server answers ModelInfer and ModelStreamInfer with the hand-written marshaller (the generated
/// endpoints on the same routes rank after it), and that path takes what protobuf takes: unknown fields, fields out of
/// order; broken bytes are INVALID_ARGUMENT.
/// </summary>
public sealed class WireBindingTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private static readonly Method<byte[], byte[]> RawModelInfer = new(MethodType.Unary, "inference.GRPCInferenceService", "ModelInfer",
        Marshallers.Create<byte[]>(b => b, b => b), Marshallers.Create<byte[]>(b => b, b => b));

    [Theory]
    [InlineData("/inference.GRPCInferenceService/ModelInfer", typeof(Method<WireInferRequest, InferenceResponse>))]
    [InlineData("/inference.GRPCInferenceService/ModelStreamInfer", typeof(Method<WireInferRequest, WireStreamReply>))]
    public void The_hand_written_method_is_the_one_routing_prefers(string path, Type expected)
    {
        var endpoints = fixture.Harness.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.FullName == path)
            .OrderBy(e => e.Order)
            .ToList();
        Assert.Equal(2, endpoints.Count); // the generated one is still mapped, ranked after
        Assert.Equal(expected, endpoints[0].Metadata.GetMetadata<GrpcMethodMetadata>()!.Method.GetType());
        Assert.True(endpoints[0].Order < endpoints[1].Order);
    }

    [Fact]
    public async Task Unknown_and_reordered_fields_are_read_as_protobuf_reads_them()
    {
        using var c = new GrpcTestClient(fixture.Harness.Server.GrpcAddress);
        var bytes = GrpcTestClient.SimpleRaw(3).ToByteArray();

        // An unknown varint, an unknown length-delimited field and an unknown fixed32 first, then the message.
        byte[] unknown = [0x98, 0x06, 0x07, 0xA2, 0x06, 0x02, 0x68, 0x69, 0xAD, 0x06, 1, 2, 3, 4];
        var reply = await c.Channel.CreateCallInvoker().AsyncUnaryCall(RawModelInfer, null, new CallOptions(), [.. unknown, .. bytes]);
        GrpcTestClient.AssertSimple(ModelInferResponse.Parser.ParseFrom(reply), 3);
    }

    [Fact]
    public async Task Broken_bytes_are_invalid_argument()
    {
        using var c = new GrpcTestClient(fixture.Harness.Server.GrpcAddress);
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await c.Channel.CreateCallInvoker().AsyncUnaryCall(RawModelInfer, null, new CallOptions(), [0x0A, 0x05, 0x61]));
        Assert.Equal(global::Grpc.Core.StatusCode.InvalidArgument, e.StatusCode);
    }
}
