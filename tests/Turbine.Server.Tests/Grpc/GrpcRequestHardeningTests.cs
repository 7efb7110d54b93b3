using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Protocol.Grpc;
using Turbine.Server.Grpc;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Grpc;

/// <summary>
/// gRPC inference input that must be refused before it costs memory or is silently half-read (issue 11, items 5
/// and 13): wrongly typed parameters, a typed contents field beside the datatype's own, shapes over the size limit,
/// messages over the receive limit and over the server-wide body budget.
/// </summary>
public sealed class GrpcRequestHardeningTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    [Theory]
    [InlineData("timeout", "request parameter 'timeout' expects a non-negative integer (microseconds), got string \"x\"")]
    [InlineData("priority", "request parameter 'priority' expects a non-negative integer (0 = the model's default level), got string \"x\"")]
    [InlineData("binary_data_output", "request parameter 'binary_data_output' expects a bool, got string \"x\"")]
    public async Task ModelInfer_WrongTypeParameter_InvalidArgumentNamesParameter(string name, string expected)
    {
        using var c = new GrpcTestClient(fixture.Harness.Server.GrpcAddress);
        var request = GrpcTestClient.SimpleRaw();
        request.Parameters[name] = new InferParameter { StringParam = "x" };
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(expected, e.Status.Detail);
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleRaw()), 0);
    }

    [Fact]
    public async Task ModelInfer_TypedContentsBesideDatatypeField_InvalidArgument()
    {
        using var c = new GrpcTestClient(fixture.Harness.Server.GrpcAddress);
        var request = GrpcTestClient.SimpleTyped();
        request.Inputs[0].Contents.Fp32Contents.Add([1f, 2f, 3f]);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("input 'INPUT0': datatype INT32 takes its data in int_contents, but fp32_contents is also set (3 elements); send only int_contents", e.Status.Detail);
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleTyped()), 0);
    }

    [Fact]
    public async Task ModelInfer_TypedShapeOverSizeLimit_InvalidArgumentBeforeConversion()
    {
        await using var h = await ServerHarness.StartAsync(maxBody: 64 * 1024);
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        var request = GrpcTestClient.SimpleTyped();
        request.Inputs[0].Shape[1] = 1L << 40;
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("input 'INPUT0': shape [1,1099511627776] of INT32 is larger than the limit of 65536 bytes per request", e.Status.Detail);
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleTyped()), 0);
    }

    [Fact]
    public async Task ModelInfer_MessageOverBodyLimit_ResourceExhaustedByReceiveLimit()
    {
        await using var h = await ServerHarness.StartAsync(maxBody: 64 * 1024);
        using var c = new GrpcTestClient(h.Server.GrpcAddress);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(IdentityBytes(100_000)));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("exceeds the maximum configured message size", e.Status.Detail);
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleRaw()), 0);
    }

    [Fact]
    public async Task ModelInfer_OverInflightBudget_ResourceExhaustedAndBudgetReturnsToZero()
    {
        await using var h = await ServerHarness.StartAsync(configure: o => o with { MaxInflightBodyBytes = 256 * 1024 });
        var budget = h.Server.Services.GetRequiredService<RequestBodyBudget>();
        using var c = new GrpcTestClient(h.Server.GrpcAddress);

        // 300 KB of bytes_contents: the message and its converted tensor cannot both fit in 256 KiB.
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(IdentityBytes(300_000)));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("limit of 262144 request-body bytes in flight (--max-inflight-body-bytes)", e.Status.Detail);
        Assert.Equal(0, budget.CurrentBytes);

        var small = await c.Client.ModelInferAsync(IdentityBytes(1000));
        Assert.Equal(4 + 1000, small.RawOutputContents[0].Length);
        Assert.Equal(0, budget.CurrentBytes);
        Assert.InRange(budget.PeakBytes, 1000, 256 * 1024);
    }

    [Fact]
    public async Task BudgetedBodyReader_BufferedBytesReservedConsumedGivenBackOverBudgetRefused()
    {
        var budget = new RequestBodyBudget(200);
        var pipe = new System.IO.Pipelines.Pipe();
        var reader = new BudgetedBodyReader(pipe.Reader, budget);
        await pipe.Writer.WriteAsync(new byte[100]);
        var first = await reader.ReadAsync();
        Assert.Equal(100, budget.CurrentBytes);
        reader.AdvanceTo(first.Buffer.GetPosition(60), first.Buffer.End);
        Assert.Equal(40, budget.CurrentBytes);

        await pipe.Writer.WriteAsync(new byte[200]); // 240 buffered: over the budget
        var e = await Assert.ThrowsAsync<RpcException>(async () => await reader.ReadAsync());
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("--max-inflight-body-bytes", e.Status.Detail);
        Assert.Equal(40, budget.CurrentBytes);
        reader.ReleaseAll();
        Assert.Equal(0, budget.CurrentBytes);
    }

    /// <summary>A <c>simple_identity</c> request whose one BYTES element has <paramref name="size"/> bytes (typed contents).</summary>
    private static ModelInferRequest IdentityBytes(int size)
    {
        var request = new ModelInferRequest { ModelName = "simple_identity" };
        var input = GrpcTestClient.Input("INPUT0", "BYTES", 1, 1);
        input.Contents = new InferTensorContents();
        input.Contents.BytesContents.Add(Google.Protobuf.ByteString.CopyFrom(new byte[size]));
        request.Inputs.Add(input);
        return request;
    }
}
