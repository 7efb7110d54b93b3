using Turbine.Client.Tests.Infrastructure;

namespace Turbine.Client.Tests;

public sealed class InferRequestTests
{
    private const string OkResponse = """{"model_name":"m","model_version":"1","outputs":[]}""";

    [Fact]
    public async Task InferAsync_BinaryInputs_SendsHeaderLengthSizesAndSectionsInInputOrder()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json(OkResponse));
        using var client = server.CreateClient();
        var a = new InferInput("A", [2], "INT32").SetData([1, -2]);
        var b = new InferInput("B", [3], "FP32").SetData([0.5f, 1.5f, -3f]);

        await client.InferAsync("m", [a, b]);

        var request = server.LastRequest;
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v2/models/m/infer", request.RawTarget);
        Assert.Equal("application/octet-stream", request.Header("Content-Type"));
        var jsonLength = int.Parse(request.Header("Inference-Header-Content-Length")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(request.Body.Length - 8 - 12, jsonLength);
        using var json = request.Json();
        var inputs = json.RootElement.GetProperty("inputs");
        Assert.Equal(2, inputs.GetArrayLength());
        Assert.Equal("A", inputs[0].GetProperty("name").GetString());
        Assert.Equal("[2]", inputs[0].GetProperty("shape").GetRawText());
        Assert.Equal("INT32", inputs[0].GetProperty("datatype").GetString());
        Assert.Equal(8, inputs[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.False(inputs[0].TryGetProperty("data", out _));
        Assert.Equal(12, inputs[1].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.True(json.RootElement.GetProperty("parameters").GetProperty("binary_data_output").GetBoolean());
        Assert.False(json.RootElement.TryGetProperty("outputs", out _));

        byte[] expected = [1, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0x3F, 0, 0, 0xC0, 0x3F, 0, 0, 0x40, 0xC0];
        Assert.Equal(expected, request.BinaryPart());
    }

    [Fact]
    public async Task InferAsync_MixedBinaryAndJsonInputs_AppendsOnlyBinarySections()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json(OkResponse));
        using var client = server.CreateClient();
        var first = new InferInput("FIRST", [2], "UINT8").SetData(new byte[] { 7, 8 });
        var json = new InferInput("J", [2], "INT64") { Binary = false }.SetData([5L, 6L]);
        var last = new InferInput("LAST", [2], "BYTES").SetStrings(["hi", ""]);

        await client.InferAsync("m", [first, json, last]);

        var request = server.LastRequest;
        using var document = request.Json();
        var inputs = document.RootElement.GetProperty("inputs");
        Assert.Equal("[5,6]", inputs[1].GetProperty("data").GetRawText());
        Assert.False(inputs[1].TryGetProperty("parameters", out _));
        Assert.Equal(10, inputs[2].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        byte[] expected = [7, 8, 2, 0, 0, 0, (byte)'h', (byte)'i', 0, 0, 0, 0];
        Assert.Equal(expected, request.BinaryPart());
    }

    [Theory]
    [InlineData("BOOL", "[true,false,true]")]
    [InlineData("UINT8", "[0,255]")]
    [InlineData("INT8", "[-128,127]")]
    [InlineData("UINT16", "[0,65535]")]
    [InlineData("INT16", "[-32768,32767]")]
    [InlineData("UINT32", "[0,4294967295]")]
    [InlineData("INT32", "[-2147483648,2147483647]")]
    [InlineData("UINT64", "[0,18446744073709551615]")]
    [InlineData("INT64", "[-9223372036854775808,9223372036854775807]")]
    [InlineData("FP16", "[0.5,-2.25]")]
    [InlineData("BF16", "[1.5,-0.375]")]
    [InlineData("FP32", "[0.1,-3.5]")]
    [InlineData("FP64", "[0.1,1E+300]")]
    public async Task InferAsync_JsonInputOfEachDatatype_WritesFlatDataArray(string datatype, string expectedData)
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json(OkResponse));
        using var client = server.CreateClient();
        var input = TestInputs.Create(datatype);
        input.Binary = false;

        await client.InferAsync("m", [input]);

        var request = server.LastRequest;
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Null(request.Header("Inference-Header-Content-Length"));
        using var json = request.Json();
        var sent = json.RootElement.GetProperty("inputs")[0];
        Assert.Equal(datatype, sent.GetProperty("datatype").GetString());
        Assert.Equal(expectedData, sent.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task InferAsync_JsonBytesInput_WritesUtf8Strings()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json(OkResponse));
        using var client = server.CreateClient();
        var input = new InferInput("S", [1, 3], "BYTES") { Binary = false }.SetStrings(["abc", "", "héllo ☃"]);

        await client.InferAsync("m", [input]);

        using var json = server.LastRequest.Json();
        var data = json.RootElement.GetProperty("inputs")[0].GetProperty("data");
        Assert.Equal(new[] { "abc", "", "héllo ☃" }, data.EnumerateArray().Select(e => e.GetString() ?? "<null>").ToArray());
        Assert.Equal("[1,3]", json.RootElement.GetProperty("inputs")[0].GetProperty("shape").GetRawText());
    }

    [Fact]
    public async Task InferAsync_JsonOnly_SendsPureJsonWithoutBinaryOutputDefault()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json(OkResponse));
        using var client = server.CreateClient();
        var input = new InferInput("X", [2], "FP32").SetData([1f, 2f]);

        await client.InferAsync("m", [input], [new InferRequestedOutput("Y")], new InferOptions { JsonOnly = true });

        var request = server.LastRequest;
        Assert.Equal("application/json", request.Header("Content-Type"));
        Assert.Null(request.Header("Inference-Header-Content-Length"));
        using var json = request.Json();
        Assert.False(json.RootElement.TryGetProperty("parameters", out _));
        Assert.Equal("[1,2]", json.RootElement.GetProperty("inputs")[0].GetProperty("data").GetRawText());
        Assert.False(json.RootElement.GetProperty("outputs")[0].GetProperty("parameters").GetProperty("binary_data").GetBoolean());
        Assert.Equal(request.Body.Length, request.JsonLength);
    }

    [Fact]
    public async Task InferAsync_RequestedOutputs_WritesBinaryDataAndClassificationWithoutBinaryOutputParameter()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json(OkResponse));
        using var client = server.CreateClient();
        var input = new InferInput("X", [1], "INT32").SetData([1]);

        await client.InferAsync("m", [input], [new InferRequestedOutput("P"), new InferRequestedOutput("Q", binary: false, classCount: 3)]);

        using var json = server.LastRequest.Json();
        Assert.False(json.RootElement.TryGetProperty("parameters", out _));
        var outputs = json.RootElement.GetProperty("outputs");
        Assert.Equal("""{"name":"P","parameters":{"binary_data":true}}""", outputs[0].GetRawText());
        Assert.Equal("""{"name":"Q","parameters":{"binary_data":false,"classification":3}}""", outputs[1].GetRawText());
    }

    [Fact]
    public async Task InferAsync_Options_WritesIdParametersAndVersionPath()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json(OkResponse));
        using var client = server.CreateClient();
        var input = new InferInput("X", [1], "INT32").SetData([1]);
        var options = new InferOptions
        {
            RequestId = "req-7",
            Priority = 2,
            TimeoutMicroseconds = 5000,
            BinaryDataOutput = false,
            ModelVersion = "3",
            Parameters = new() { ["sequence_id"] = 42UL, ["sequence_start"] = true, ["tag"] = "x", ["priority"] = 9 },
        };

        await client.InferAsync("m", [input], options: options);

        var request = server.LastRequest;
        Assert.Equal("/v2/models/m/versions/3/infer", request.RawTarget);
        using var json = request.Json();
        Assert.Equal("req-7", json.RootElement.GetProperty("id").GetString());
        Assert.Equal(
            """{"priority":2,"timeout":5000,"binary_data_output":false,"sequence_id":42,"sequence_start":true,"tag":"x"}""",
            json.RootElement.GetProperty("parameters").GetRawText());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task InferAsync_RequestCompression_SendsCompressedBodyWithContentEncoding(string encoding)
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json(OkResponse));
        using var client = server.CreateClient();
        var input = new InferInput("X", [4], "INT16").SetData(new short[] { 1, 2, 3, 4 });

        await client.InferAsync("m", [input], options: new InferOptions { RequestCompression = encoding });

        var request = server.LastRequest;
        Assert.Equal(encoding, request.Header("Content-Encoding"));
        Assert.Equal("application/octet-stream", request.Header("Content-Type"));
        var decoded = request.DecodedBody();
        Assert.NotEqual(decoded, request.Body);
        Assert.Equal(decoded.Length - 8, request.JsonLength);
        Assert.Equal(new byte[] { 1, 0, 2, 0, 3, 0, 4, 0 }, request.BinaryPart());
        using var json = request.Json();
        Assert.Equal(8, json.RootElement.GetProperty("inputs")[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
    }

    [Fact]
    public async Task InferAsync_AcceptCompression_SendsAcceptEncoding()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json(OkResponse));
        using var client = server.CreateClient();
        var input = new InferInput("X", [1], "INT32").SetData([1]);

        await client.InferAsync("m", [input], options: new InferOptions { AcceptCompression = "gzip" });

        Assert.Equal("gzip", server.LastRequest.Header("Accept-Encoding"));
    }

    [Fact]
    public async Task InferAsync_ModelNameWithReservedCharacters_EscapesPath()
    {
        await using var server = await LoopbackServer.StartAsync(CannedResponse.Json(OkResponse));
        using var client = server.CreateClient();

        await client.InferAsync("my model/v", [new InferInput("X", [1], "INT32").SetData([1])]);

        Assert.Equal("/v2/models/my%20model%2Fv/infer", server.LastRequest.RawTarget);
    }

    [Fact]
    public async Task InferAsync_InputWithoutData_ThrowsNamingInput()
    {
        using var client = new TurbineHttpClient(new Uri("http://127.0.0.1:9/"));

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.InferAsync("m", [new InferInput("EMPTY", [1], "FP32")]));

        Assert.Contains("'EMPTY'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InferAsync_UnknownCompression_Throws()
    {
        using var client = new TurbineHttpClient(new Uri("http://127.0.0.1:9/"));
        var input = new InferInput("X", [1], "INT32").SetData([1]);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.InferAsync("m", [input], options: new InferOptions { RequestCompression = "br" }));

        Assert.Contains("br", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InferAsync_JsonFp32NaN_ThrowsSuggestingBinary()
    {
        using var client = new TurbineHttpClient(new Uri("http://127.0.0.1:9/"));
        var input = new InferInput("X", [1], "FP32") { Binary = false }.SetData([float.NaN]);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.InferAsync("m", [input]));

        Assert.Contains("binary", ex.Message, StringComparison.Ordinal);
    }
}
