using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using BytesTensor = Turbine.Protocol.BytesTensor;
using Turbine.Protocol.Grpc;

namespace Turbine.Server.Tests.Grpc;

/// <summary>ModelInfer on the sample models: results, options, and errors with REST's messages.</summary>
public sealed class GrpcInferTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private GrpcTestClient NewClient() => new(fixture.Harness.Server.GrpcAddress);

    [Fact]
    public async Task ModelInfer_RawAndTyped_SumAndDifference()
    {
        using var c = NewClient();
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleRaw(10)), 10);
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleTyped(-7)), -7);
    }

    [Fact]
    public async Task ModelInfer_EchoesIdAndAcceptsPriorityAndTimeout()
    {
        using var c = NewClient();
        var request = GrpcTestClient.SimpleRaw(1, id: "request-\u00e9-42");
        request.ModelVersion = "1";
        request.Parameters["priority"] = new InferParameter { Int64Param = 1 };
        request.Parameters["timeout"] = new InferParameter { Int64Param = 5_000_000 };
        var response = await c.Client.ModelInferAsync(request);
        Assert.Equal("request-\u00e9-42", response.Id);
        Assert.Equal("1", response.ModelVersion);
        GrpcTestClient.AssertSimple(response, 1);
    }

    [Fact]
    public async Task ModelInfer_RequestedOutputSubset_OnlyThatOutput()
    {
        using var c = NewClient();
        var request = GrpcTestClient.SimpleTyped(2);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "OUTPUT1" });
        var response = await c.Client.ModelInferAsync(request);
        var output = Assert.Single(response.Outputs);
        Assert.Equal("OUTPUT1", output.Name);
        Assert.Equal(Enumerable.Range(1, 16), GrpcTestClient.Values<int>(Assert.Single(response.RawOutputContents)));
    }

    [Fact]
    public async Task ModelInfer_BytesModel_TypedStrings()
    {
        using var c = NewClient();
        var request = new ModelInferRequest { ModelName = "simple_string" };
        var a = GrpcTestClient.Input("INPUT0", "BYTES", 1, 16);
        a.Contents = new InferTensorContents();
        a.Contents.BytesContents.Add(Enumerable.Range(0, 16).Select(i => ByteString.CopyFromUtf8(i.ToString(CultureInfo.InvariantCulture))));
        var b = GrpcTestClient.Input("INPUT1", "BYTES", 1, 16);
        b.Contents = new InferTensorContents();
        b.Contents.BytesContents.Add(Enumerable.Range(0, 16).Select(i => ByteString.CopyFromUtf8((-i * 10).ToString(CultureInfo.InvariantCulture))));
        request.Inputs.Add(a);
        request.Inputs.Add(b);
        var response = await c.Client.ModelInferAsync(request);
        Assert.Equal("BYTES", response.Outputs[0].Datatype);
        var sum = BytesTensor.ToStrings(response.RawOutputContents[0].Span);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (-9 * i).ToString(CultureInfo.InvariantCulture)), sum);
    }

    [Fact]
    public async Task ModelInfer_Classification_ScoreIndexLabelStrings()
    {
        using var c = NewClient();
        var request = new ModelInferRequest { ModelName = "iris" };
        request.Inputs.Add(GrpcTestClient.Input("input", "FP32", 2, 4));
        request.RawInputContents.Add(GrpcTestClient.Bytes([5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f]));
        var output = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probabilities" };
        output.Parameters["classification"] = new InferParameter { Int64Param = 2 };
        request.Outputs.Add(output);
        var response = await c.Client.ModelInferAsync(request);
        var tensor = Assert.Single(response.Outputs);
        Assert.Equal("BYTES", tensor.Datatype);
        Assert.Equal([2L, 2L], tensor.Shape);
        var data = BytesTensor.ToStrings(Assert.Single(response.RawOutputContents).Span);
        Assert.Equal(4, data.Count);
        Assert.EndsWith(":0:setosa", data[0]);
        Assert.EndsWith(":2:virginica", data[2]);
        Assert.True(double.Parse(data[0].Split(':')[0], CultureInfo.InvariantCulture) > 0.9);
        Assert.True(double.Parse(data[0].Split(':')[0], CultureInfo.InvariantCulture) >= double.Parse(data[1].Split(':')[0], CultureInfo.InvariantCulture));
    }

    public static TheoryData<string, ModelInferRequest, StatusCode, string> BadRequests()
    {
        var data = new TheoryData<string, ModelInferRequest, StatusCode, string>();
        var unknown = GrpcTestClient.SimpleRaw();
        unknown.ModelName = "nosuch";
        data.Add("unknown model", unknown, StatusCode.InvalidArgument, "Request for unknown model: 'nosuch' is not found");

        var version = GrpcTestClient.SimpleRaw();
        version.ModelVersion = "9";
        data.Add("unknown version", version, StatusCode.NotFound, "Request for unknown model: 'simple' version 9 is not found");

        var badVersion = GrpcTestClient.SimpleRaw();
        badVersion.ModelVersion = "latest";
        data.Add("bad version", badVersion, StatusCode.InvalidArgument, "model version 'latest' is not valid");

        var shape = GrpcTestClient.SimpleRaw();
        shape.Inputs[0].Shape[1] = 15;
        shape.RawInputContents[0] = GrpcTestClient.Bytes(new int[15]);
        data.Add("wrong shape", shape, StatusCode.InvalidArgument, "expected shape [-1,16], got [1,15]");

        var type = GrpcTestClient.SimpleRaw();
        type.Inputs[0].Datatype = "FP32";
        data.Add("wrong datatype", type, StatusCode.InvalidArgument, "expected datatype INT32, got FP32");

        var unknownType = GrpcTestClient.SimpleRaw();
        unknownType.Inputs[0].Datatype = "FP33";
        data.Add("unknown datatype", unknownType, StatusCode.InvalidArgument, "unknown datatype 'FP33'");

        var both = GrpcTestClient.SimpleRaw();
        both.Inputs[1].Contents = new InferTensorContents();
        both.Inputs[1].Contents.IntContents.Add(Enumerable.Repeat(1, 16));
        data.Add("raw and typed", both, StatusCode.InvalidArgument, "input 'INPUT1': a request uses either raw_input_contents or typed contents, not both");

        var rawCount = GrpcTestClient.SimpleRaw();
        rawCount.RawInputContents.RemoveAt(1);
        data.Add("raw count", rawCount, StatusCode.InvalidArgument, "raw_input_contents has 1 entries but the request has 2 inputs");

        var rawSize = GrpcTestClient.SimpleRaw();
        rawSize.RawInputContents[1] = GrpcTestClient.Bytes(new int[15]);
        data.Add("raw size", rawSize, StatusCode.InvalidArgument, "needs 64 bytes (16 elements), got 60 bytes");

        var typedCount = GrpcTestClient.SimpleTyped();
        typedCount.Inputs[0].Contents.IntContents.RemoveAt(0);
        data.Add("typed count", typedCount, StatusCode.InvalidArgument, "input 'INPUT0': shape [1,16] needs 16 elements, but int_contents holds 15");

        var int8 = GrpcTestClient.SimpleTyped();
        int8.ModelName = "simple_int8";
        int8.Inputs[0].Datatype = "INT8";
        int8.Inputs[1].Datatype = "INT8";
        int8.Inputs[0].Contents.IntContents[0] = 300;
        data.Add("INT8 out of range", int8, StatusCode.InvalidArgument, "element 0 value 300 is not a valid INT8");

        var missing = GrpcTestClient.SimpleRaw();
        missing.Inputs.RemoveAt(1);
        missing.RawInputContents.RemoveAt(1);
        data.Add("missing input", missing, StatusCode.InvalidArgument, "missing required input(s) ['INPUT1']");

        var negative = GrpcTestClient.SimpleRaw();
        negative.Inputs[0].Shape[0] = -1;
        data.Add("negative dim", negative, StatusCode.InvalidArgument, "has a negative dimension");

        var batch = GrpcTestClient.SimpleTyped();
        foreach (var input in batch.Inputs)
        {
            input.Shape[0] = 9;
            input.Contents.IntContents.Add(Enumerable.Repeat(0, 16 * 8));
        }

        data.Add("batch too big", batch, StatusCode.InvalidArgument, "max_batch_size 8, got 9");

        var hugeTyped = GrpcTestClient.SimpleTyped();
        hugeTyped.Inputs[0].Shape[0] = 1L << 40;
        hugeTyped.Inputs[0].Shape[1] = 1L << 40;
        data.Add("huge typed shape", hugeTyped, StatusCode.InvalidArgument, "input 'INPUT0'");

        var hugeRaw = GrpcTestClient.SimpleRaw();
        hugeRaw.Inputs[0].Shape[0] = 1L << 40;
        hugeRaw.Inputs[0].Shape[1] = 1L << 40;
        data.Add("huge raw shape", hugeRaw, StatusCode.InvalidArgument, "input 'INPUT0'");

        var hugeRaw2 = GrpcTestClient.SimpleRaw();
        hugeRaw2.Inputs[0].Shape[0] = 1L << 60;
        data.Add("huge raw batch", hugeRaw2, StatusCode.InvalidArgument, "input 'INPUT0'");

        var hugeBytes = GrpcTestClient.SimpleTyped();
        hugeBytes.ModelName = "simple_string";
        foreach (var input in hugeBytes.Inputs)
        {
            input.Datatype = "BYTES";
            input.Contents.IntContents.Clear();
            input.Contents.BytesContents.Add(Enumerable.Repeat(ByteString.CopyFromUtf8("1"), 16));
        }

        hugeBytes.Inputs[0].Shape[0] = 1L << 62;
        data.Add("huge bytes shape", hugeBytes, StatusCode.InvalidArgument, "input 'INPUT0'");

        var noName = GrpcTestClient.SimpleRaw();
        noName.ModelName = "";
        data.Add("empty model name", noName, StatusCode.InvalidArgument, "Request for unknown model: '' is not found");

        var output = GrpcTestClient.SimpleRaw();
        output.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "OUTPUT7" });
        data.Add("unknown output", output, StatusCode.InvalidArgument, "unexpected inference output 'OUTPUT7'");
        return data;
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ModelInfer_BadRequest_StatusAndMessage(string what, ModelInferRequest request, StatusCode code, string message)
    {
        using var c = NewClient();
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(request));
        Assert.True(code == e.StatusCode, $"{what}: expected {code}, got {e.StatusCode} '{e.Status.Detail}'");
        Assert.Contains(message, e.Status.Detail);

        // The server keeps serving on the same channel.
        GrpcTestClient.AssertSimple(await c.Client.ModelInferAsync(GrpcTestClient.SimpleRaw(4)), 4);
    }

    [Fact]
    public async Task ModelInfer_SameMessageAsRest()
    {
        using var c = NewClient();
        var request = GrpcTestClient.SimpleRaw();
        request.Inputs[0].Shape[1] = 15;
        request.RawInputContents[0] = GrpcTestClient.Bytes(new int[15]);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await c.Client.ModelInferAsync(request));
        var json = "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,15],\"datatype\":\"INT32\",\"data\":[" + string.Join(",", new int[15]) + "]}," +
            "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[" + string.Join(",", Enumerable.Repeat(1, 16)) + "]}]}";
        var (status, body) = await fixture.Harness.PostJsonAsync("/v2/models/simple/infer", json);
        Assert.Equal(400, status);
        Assert.Equal(body.GetProperty("error").GetString(), e.Status.Detail);
    }
}
