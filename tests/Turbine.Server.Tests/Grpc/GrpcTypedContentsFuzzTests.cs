using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Protocol.Grpc;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Grpc;

/// <summary>
/// Random typed <c>contents</c> (any datatype, any mix of fields, shapes that lie about the element count, huge
/// shapes): every answer is OK or a client-error status with a message, never INTERNAL or UNKNOWN; the budget is back
/// to zero and the server still answers a normal request.
/// </summary>
public sealed class GrpcTypedContentsFuzzTests
{
    private static readonly string[] Datatypes = ["BOOL", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "FP16", "FP32", "FP64", "BYTES", "NOPE"];

    [Fact]
    public async Task ModelInfer_RandomTypedContents_OnlyClientErrorsAndServerHealthy()
    {
        await using var h = await ServerHarness.StartAsync(maxBody: 1 << 20);
        var budget = h.Server.Services.GetRequiredService<RequestBodyBudget>();
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        var random = new Random(1105);
        for (var i = 0; i < 400; i++)
        {
            var request = GrpcTestClient.SimpleTyped(i);
            var input = request.Inputs[random.Next(2)];
            input.Datatype = Datatypes[random.Next(Datatypes.Length)];
            if (random.Next(3) == 0)
            {
                input.Shape[1] = random.Next(3) == 0 ? (1L << random.Next(20, 62)) : random.Next(0, 40);
            }

            var count = random.Next(0, 40);
            switch (random.Next(8))
            {
                case 0: input.Contents.BoolContents.Add(Enumerable.Repeat(true, count)); break;
                case 1: input.Contents.Int64Contents.Add(Enumerable.Repeat(long.MaxValue, count)); break;
                case 2: input.Contents.UintContents.Add(Enumerable.Repeat(uint.MaxValue, count)); break;
                case 3: input.Contents.Uint64Contents.Add(Enumerable.Repeat(ulong.MaxValue, count)); break;
                case 4: input.Contents.Fp32Contents.Add(Enumerable.Repeat(float.NaN, count)); break;
                case 5: input.Contents.Fp64Contents.Add(Enumerable.Repeat(1e300, count)); break;
                case 6: input.Contents.BytesContents.Add(Enumerable.Range(0, count).Select(_ => Google.Protobuf.ByteString.CopyFrom(new byte[random.Next(0, 64)]))); break;
                default: input.Contents.IntContents.Add(Enumerable.Repeat(int.MinValue, count)); break;
            }

            try
            {
                await c.Client.ModelInferAsync(request);
            }
            catch (RpcException e)
            {
                Assert.True(e.StatusCode is StatusCode.InvalidArgument or StatusCode.ResourceExhausted or StatusCode.Unimplemented,
                    $"request #{i} got {e.StatusCode}: {e.Status.Detail}");
                Assert.False(string.IsNullOrWhiteSpace(e.Status.Detail));
            }
        }

        Assert.Equal(0, budget.CurrentBytes);
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleTyped(3)), 3);
    }
}
