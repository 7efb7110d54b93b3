using System.Buffers.Binary;
using System.Text.Json;
using Google.Protobuf;
using Turbine.Protocol.Grpc;

namespace Turbine.Client.Tests.Grpc;

public sealed class TurbineGrpcClientInferTests
{
    public static TheoryData<string> AllDatatypes =>
        ["BOOL", "UINT8", "INT8", "UINT16", "INT16", "UINT32", "INT32", "UINT64", "INT64", "FP16", "BF16", "FP32", "FP64", "BYTES"];

    private static InferInput Input(string datatype) => datatype == "BYTES"
        ? new InferInput("T", [3], "BYTES").SetStrings(["a", "", "héllo"])
        : TestInputs.Create(datatype);

    private static Task<ModelInferResponse> Empty(ModelInferRequest r) =>
        Task.FromResult(new ModelInferResponse { ModelName = r.ModelName, ModelVersion = "1" });

    [Theory]
    [MemberData(nameof(AllDatatypes))]
    public async Task InferAsync_RawContents_SendsExactBytesPerInputWithoutTypedContents(string datatype)
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Infer = (r, _) => Empty(r);
        using var client = server.CreateClient();
        var input = Input(datatype);
        var second = new InferInput("SECOND", [2], "INT32").SetData([7, 8]);

        await client.InferAsync("m", [input, second]);

        var request = server.Service.Last<ModelInferRequest>();
        Assert.Equal("m", request.ModelName);
        Assert.Equal(2, request.RawInputContents.Count);
        Assert.Equal(input.RawData.ToArray(), request.RawInputContents[0].ToByteArray());
        Assert.Equal(second.RawData.ToArray(), request.RawInputContents[1].ToByteArray());
        Assert.Equal(["T", "SECOND"], request.Inputs.Select(i => i.Name));
        Assert.Equal(datatype, request.Inputs[0].Datatype);
        Assert.Equal(input.Shape, request.Inputs[0].Shape);
        Assert.All(request.Inputs, i => Assert.Null(i.Contents));
    }

    [Fact]
    public async Task InferAsync_TypedContents_FillsTheTypedFieldOfEveryDatatype()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Infer = (r, _) => Empty(r);
        using var client = server.CreateClient();
        string[] datatypes = ["BOOL", "UINT8", "INT8", "UINT16", "INT16", "UINT32", "INT32", "UINT64", "INT64", "FP32", "FP64", "BYTES"];
        var inputs = datatypes.Select(d => new InferInput(d, [Input(d).Shape[0]], d).SetRaw(Input(d).RawData)).ToList();

        await client.InferAsync("m", inputs, options: new InferOptions { GrpcTypedContents = true });

        var request = server.Service.Last<ModelInferRequest>();
        Assert.Empty(request.RawInputContents);
        InferTensorContents C(string name) => request.Inputs.Single(i => i.Name == name).Contents;
        Assert.Equal([true, false, true], C("BOOL").BoolContents);
        Assert.Equal([0u, 255u], C("UINT8").UintContents);
        Assert.Equal([-128, 127], C("INT8").IntContents);
        Assert.Equal([0u, 65535u], C("UINT16").UintContents);
        Assert.Equal([short.MinValue, short.MaxValue], C("INT16").IntContents);
        Assert.Equal([0u, uint.MaxValue], C("UINT32").UintContents);
        Assert.Equal([int.MinValue, int.MaxValue], C("INT32").IntContents);
        Assert.Equal([0ul, ulong.MaxValue], C("UINT64").Uint64Contents);
        Assert.Equal([long.MinValue, long.MaxValue], C("INT64").Int64Contents);
        Assert.Equal([0.1f, -3.5f], C("FP32").Fp32Contents);
        Assert.Equal([0.1, 1e300], C("FP64").Fp64Contents);
        Assert.Equal(["a", "", "héllo"], C("BYTES").BytesContents.Select(b => b.ToStringUtf8()));

        // Each input fills exactly one typed field.
        Assert.Empty(C("INT32").Int64Contents);
        Assert.Empty(C("UINT8").IntContents);
    }

    [Theory]
    [InlineData("FP16")]
    [InlineData("BF16")]
    public async Task InferAsync_TypedContentsHalfPrecision_ThrowsArgumentExceptionNamingTheInput(string datatype)
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Infer = (r, _) => Empty(r);
        using var client = server.CreateClient();

        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.InferAsync("m", [TestInputs.Create(datatype)], options: new InferOptions { GrpcTypedContents = true }));

        Assert.Contains("input 'T'", e.Message, StringComparison.Ordinal);
        Assert.Contains(datatype, e.Message, StringComparison.Ordinal);
        Assert.Empty(server.Service.Requests);
    }

    [Fact]
    public async Task InferAsync_OptionsAndOutputs_MapToInferParameters()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Infer = (r, _) => Empty(r);
        using var client = server.CreateClient();
        using var json = JsonDocument.Parse("""{"n":12345678901,"s":"x","f":2.5}""");
        var options = new InferOptions
        {
            RequestId = "req-7",
            ModelVersion = "3",
            Priority = 2,
            TimeoutMicroseconds = 5000,
            Parameters = new()
            {
                ["flag"] = true,
                ["name"] = "abc",
                ["small"] = 42,
                ["big"] = ulong.MaxValue,
                ["ratio"] = 0.25,
                ["json_n"] = json.RootElement.GetProperty("n"),
                ["json_s"] = json.RootElement.GetProperty("s"),
                ["json_f"] = json.RootElement.GetProperty("f"),
                ["priority"] = 99, // the named option wins
            },
        };

        await client.InferAsync("m", [TestInputs.Create("INT32")], [new InferRequestedOutput("probs", classCount: 3), new InferRequestedOutput("raw")], options);

        var request = server.Service.Last<ModelInferRequest>();
        Assert.Equal("req-7", request.Id);
        Assert.Equal("3", request.ModelVersion);
        var p = request.Parameters;
        Assert.Equal(2, p["priority"].Int64Param);
        Assert.Equal(5000, p["timeout"].Int64Param);
        Assert.True(p["flag"].BoolParam);
        Assert.Equal("abc", p["name"].StringParam);
        Assert.Equal(42, p["small"].Int64Param);
        Assert.Equal(ulong.MaxValue, p["big"].Uint64Param);
        Assert.Equal(0.25, p["ratio"].DoubleParam);
        Assert.Equal(12345678901, p["json_n"].Int64Param);
        Assert.Equal("x", p["json_s"].StringParam);
        Assert.Equal(2.5, p["json_f"].DoubleParam);
        Assert.False(p.ContainsKey("binary_data_output"));
        Assert.Equal(["probs", "raw"], request.Outputs.Select(o => o.Name));
        Assert.Equal(3, request.Outputs[0].Parameters["classification"].Int64Param);
        Assert.Empty(request.Outputs[1].Parameters);
    }

    [Fact]
    public async Task InferAsync_NoOptions_SendsNoParametersAndEmptyIdAndVersion()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Infer = (r, _) => Empty(r);
        using var client = server.CreateClient();

        var result = await client.InferAsync("m", [TestInputs.Create("FP32")]);

        var request = server.Service.Last<ModelInferRequest>();
        Assert.Empty(request.Parameters);
        Assert.Empty(request.Outputs);
        Assert.Equal(string.Empty, request.Id);
        Assert.Equal(string.Empty, request.ModelVersion);
        Assert.Null(result.Id);
        Assert.Null(result.Parameters);
        Assert.Equal(DateTime.MaxValue, server.Service.Deadlines.Last());
    }

    [Fact]
    public async Task InferAsync_RawOutputContents_ReadByIndexWithParameters()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Infer = (r, _) =>
        {
            var response = new ModelInferResponse { ModelName = "m", ModelVersion = "2", Id = r.Id };
            response.Parameters["sequence_end"] = new InferParameter { BoolParam = true };
            response.Parameters["count"] = new InferParameter { Uint64Param = 9 };
            response.Parameters["label"] = new InferParameter { StringParam = "cat" };
            response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = "A", Datatype = "FP32", Shape = { 1, 2 } });
            response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = "B", Datatype = "BYTES", Shape = { 1 } });
            response.RawOutputContents.Add(ByteString.CopyFrom(BitConverter.GetBytes(1.5f).Concat(BitConverter.GetBytes(-2f)).ToArray()));
            response.RawOutputContents.Add(ByteString.CopyFrom([3, 0, 0, 0, (byte)'a', (byte)'b', (byte)'c']));
            return Task.FromResult(response);
        };
        using var client = server.CreateClient();

        var result = await client.InferAsync("m", [TestInputs.Create("FP32")], options: new InferOptions { RequestId = "r1" });

        Assert.Equal("m", result.ModelName);
        Assert.Equal("2", result.ModelVersion);
        Assert.Equal("r1", result.Id);
        Assert.Equal([1.5f, -2f], result.GetOutput("A").AsArray<float>());
        Assert.Equal([1L, 2L], result.GetOutput("A").Shape);
        Assert.Equal(["abc"], result.GetOutput("B").AsStrings());
        var parameters = result.Parameters!.Value;
        Assert.True(parameters.GetProperty("sequence_end").GetBoolean());
        Assert.Equal(9ul, parameters.GetProperty("count").GetUInt64());
        Assert.Equal("cat", parameters.GetProperty("label").GetString());
    }

    [Fact]
    public async Task InferAsync_TypedOutputContents_ConvertedToProtocolLayout()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Infer = (r, _) =>
        {
            var response = new ModelInferResponse { ModelName = "m" };
            void Add(string name, string datatype, InferTensorContents c) =>
                response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = name, Datatype = datatype, Shape = { 2 }, Contents = c });
            Add("BOOL", "BOOL", new InferTensorContents { BoolContents = { true, false } });
            Add("INT8", "INT8", new InferTensorContents { IntContents = { -1, 5 } });
            Add("UINT16", "UINT16", new InferTensorContents { UintContents = { 65535, 1 } });
            Add("INT32", "INT32", new InferTensorContents { IntContents = { int.MinValue, 3 } });
            Add("INT64", "INT64", new InferTensorContents { Int64Contents = { long.MaxValue, -4 } });
            Add("UINT64", "UINT64", new InferTensorContents { Uint64Contents = { ulong.MaxValue, 0 } });
            Add("FP32", "FP32", new InferTensorContents { Fp32Contents = { 0.5f, -1f } });
            Add("FP64", "FP64", new InferTensorContents { Fp64Contents = { 1e-300, 2 } });
            Add("BYTES", "BYTES", new InferTensorContents { BytesContents = { ByteString.CopyFromUtf8("hi"), ByteString.Empty } });
            return Task.FromResult(response);
        };
        using var client = server.CreateClient();

        var result = await client.InferAsync("m", [TestInputs.Create("FP32")]);

        Assert.Equal([true, false], result.GetOutput("BOOL").AsArray<bool>());
        Assert.Equal([(sbyte)-1, (sbyte)5], result.GetOutput("INT8").AsArray<sbyte>());
        Assert.Equal([(ushort)65535, (ushort)1], result.GetOutput("UINT16").AsArray<ushort>());
        Assert.Equal([int.MinValue, 3], result.GetOutput("INT32").AsArray<int>());
        Assert.Equal([long.MaxValue, -4L], result.GetOutput("INT64").AsArray<long>());
        Assert.Equal([ulong.MaxValue, 0ul], result.GetOutput("UINT64").AsArray<ulong>());
        Assert.Equal([0.5f, -1f], result.GetOutput("FP32").AsArray<float>());
        Assert.Equal([1e-300, 2.0], result.GetOutput("FP64").AsArray<double>());
        Assert.Equal(["hi", ""], result.GetOutput("BYTES").AsStrings());
    }

    [Fact]
    public async Task InferAsync_RawCountDiffersFromOutputs_ThrowsTurbineClientException()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Infer = (r, _) => Task.FromResult(new ModelInferResponse
        {
            ModelName = "m",
            Outputs = { new ModelInferResponse.Types.InferOutputTensor { Name = "A" }, new ModelInferResponse.Types.InferOutputTensor { Name = "B" } },
            RawOutputContents = { ByteString.CopyFrom(1, 2) },
        });
        using var client = server.CreateClient();

        var e = await Assert.ThrowsAsync<TurbineClientException>(() => client.InferAsync("m", [TestInputs.Create("FP32")]));

        Assert.Contains("2 outputs but 1 raw_output_contents", e.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InferAsync_TensorAbove4MB_RoundTripsWithDefaultLimits()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Infer = (r, _) =>
        {
            var response = new ModelInferResponse { ModelName = "m" };
            response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = "OUT", Datatype = "UINT8", Shape = { r.RawInputContents[0].Length } });
            response.RawOutputContents.Add(r.RawInputContents[0]);
            return Task.FromResult(response);
        };
        using var client = server.CreateClient();
        var data = new byte[24 << 20];
        new Random(1).NextBytes(data);

        var result = await client.InferAsync("m", [new InferInput("IN", [data.Length], "UINT8").SetData(data)]);

        Assert.True(result.GetOutput("OUT").Raw.Span.SequenceEqual(data));
    }

    [Fact]
    public async Task InferAsync_SharedChannel_ClientDisposeLeavesChannelUsable()
    {
        await using var server = await GrpcTestServer.StartAsync();
        server.Service.Live = (_, _) => Task.FromResult(new ServerLiveResponse { Live = true });
        using var channel = server.CreateChannel();

        using (var first = new TurbineGrpcClient(channel))
        {
            Assert.True(await first.IsLiveAsync());
        }

        using var second = new TurbineGrpcClient(channel);
        Assert.True(await second.IsLiveAsync());
        Assert.Equal(2, server.Service.Requests.Count);
    }

    [Fact]
    public async Task InferAsync_InputWithoutData_ThrowsArgumentException()
    {
        await using var server = await GrpcTestServer.StartAsync();
        using var client = server.CreateClient();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => client.InferAsync("m", [new InferInput("X", [1], "FP32")]));

        Assert.Contains("input 'X' has no data", e.Message, StringComparison.Ordinal);
    }

    internal static byte[] Int32Bytes(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }
}
