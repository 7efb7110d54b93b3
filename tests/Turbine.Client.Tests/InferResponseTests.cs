using System.Text;
using Turbine.Client.Tests.Infrastructure;

namespace Turbine.Client.Tests;

public sealed class InferResponseTests
{
    private static async Task<InferResult> InferAgainstAsync(CannedResponse response, InferOptions? options = null)
    {
        await using var server = await LoopbackServer.StartAsync(response);
        using var client = server.CreateClient();
        return await client.InferAsync("m", [new InferInput("X", [1], "INT32").SetData([1])], options: options);
    }

    private static string JsonOutput(string datatype, string shape, string data) =>
        $$"""{"model_name":"m","model_version":"1","outputs":[{"name":"OUT","datatype":"{{datatype}}","shape":{{shape}},"data":{{data}}}]}""";

    [Fact]
    public async Task InferAsync_JsonResponse_ParsesHeaderFields()
    {
        var result = await InferAgainstAsync(CannedResponse.Json(
            """{"model_name":"resnet","model_version":"4","id":"abc","parameters":{"sequence_id":3},"outputs":[]}"""));

        Assert.Equal("resnet", result.ModelName);
        Assert.Equal("4", result.ModelVersion);
        Assert.Equal("abc", result.Id);
        Assert.Equal(3, result.Parameters!.Value.GetProperty("sequence_id").GetInt32());
        Assert.Empty(result.Outputs);
    }

    [Theory]
    [InlineData("[true,false,true]")]
    [InlineData("[[true,false,true]]")]
    [InlineData("[[1,0,1]]")]
    public async Task InferAsync_JsonBoolData_ParsesFlatOrNested(string data)
    {
        var result = await InferAgainstAsync(CannedResponse.Json(JsonOutput("BOOL", "[1,3]", data)));

        var output = result.GetOutput("OUT");
        Assert.Equal([1L, 3L], output.Shape);
        Assert.Equal([true, false, true], output.AsArray<bool>());
        Assert.Equal(new byte[] { 1, 0, 1 }, output.Raw.ToArray());
    }

    [Fact]
    public async Task InferAsync_JsonNestedInt32Data_FlattensRowMajor()
    {
        var result = await InferAgainstAsync(CannedResponse.Json(JsonOutput("INT32", "[2,2]", "[[1,2],[3,-4]]")));

        Assert.Equal([1, 2, 3, -4], result.GetOutput("OUT").AsArray<int>());
    }

    [Fact]
    public async Task InferAsync_JsonDataOfEveryNumericDatatype_ConvertsToProtocolBytes()
    {
        Assert.Equal(new byte[] { 0, 255 }, (await Single("UINT8", "[0,255]")).AsArray<byte>());
        Assert.Equal(new sbyte[] { -128, 127 }, (await Single("INT8", "[-128,127]")).AsArray<sbyte>());
        Assert.Equal(new ushort[] { 1, 65535 }, (await Single("UINT16", "[1,65535]")).AsArray<ushort>());
        Assert.Equal(new short[] { -32768, 5 }, (await Single("INT16", "[-32768,5]")).AsArray<short>());
        Assert.Equal(new uint[] { 7, uint.MaxValue }, (await Single("UINT32", "[7,4294967295]")).AsArray<uint>());
        Assert.Equal(new ulong[] { 7, ulong.MaxValue }, (await Single("UINT64", "[7,18446744073709551615]")).AsArray<ulong>());
        Assert.Equal(new long[] { long.MinValue, 9 }, (await Single("INT64", "[-9223372036854775808,9]")).AsArray<long>());
        Assert.Equal(new[] { (Half)0.5, (Half)(-2.25) }, (await Single("FP16", "[0.5,-2.25]")).AsArray<Half>());
        Assert.Equal(new[] { 0.1f, -3.5f }, (await Single("FP32", "[0.1,-3.5]")).AsArray<float>());
        Assert.Equal(new[] { 0.1, 1e300 }, (await Single("FP64", "[0.1,1e300]")).AsArray<double>());

        var bf16 = await Single("BF16", "[1.5,-0.375]");
        Assert.Equal(TestInputs.Bf16Bytes(1.5f, -0.375f), bf16.Raw.ToArray());
        Assert.Equal(new ushort[] { 0x3FC0, 0xBEC0 }, bf16.AsArray<ushort>());

        static async Task<InferOutput> Single(string datatype, string data) =>
            (await InferAgainstAsync(CannedResponse.Json(JsonOutput(datatype, "[2]", data)))).GetOutput("OUT");
    }

    [Fact]
    public async Task InferAsync_JsonBytesData_ConvertsToLengthPrefixedElements()
    {
        var result = await InferAgainstAsync(CannedResponse.Json(JsonOutput("BYTES", "[2]", """["0.9:3:cat","é"]""")));

        var output = result.GetOutput("OUT");
        Assert.Equal(["0.9:3:cat", "é"], output.AsStrings());
        Assert.Equal([9, 0, 0, 0], output.Raw[..4].ToArray());
        Assert.Equal(Encoding.UTF8.GetBytes("é"), output.AsBytesElements()[1]);
    }

    [Fact]
    public async Task InferAsync_JsonDataCountDifferentFromShape_ThrowsNamingOutput()
    {
        var ex = await Assert.ThrowsAsync<TurbineClientException>(() => InferAgainstAsync(CannedResponse.Json(JsonOutput("INT32", "[3]", "[1,2]"))));

        Assert.Contains("'OUT'", ex.ServerMessage, StringComparison.Ordinal);
        Assert.Contains("needs 3", ex.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InferAsync_BinaryOutputsMixedWithJson_SlicesSectionsInOutputOrder()
    {
        var json = """
            {"model_name":"m","model_version":"1","outputs":[
              {"name":"A","datatype":"FP32","shape":[2],"parameters":{"binary_data_size":8}},
              {"name":"J","datatype":"INT64","shape":[1],"data":[12]},
              {"name":"S","datatype":"BYTES","shape":[2],"parameters":{"binary_data_size":11}}]}
            """;
        byte[] a = [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40];
        byte[] s = [2, 0, 0, 0, (byte)'o', (byte)'k', 1, 0, 0, 0, (byte)'!'];

        var result = await InferAgainstAsync(CannedResponse.Binary(json, a, s));

        Assert.Equal(["A", "J", "S"], result.Outputs.Select(o => o.Name).ToArray());
        Assert.Equal([1f, 2f], result.GetOutput("A").AsArray<float>());
        Assert.Equal([12L], result.GetOutput("J").AsArray<long>());
        Assert.Equal(["ok", "!"], result.GetOutput("S").AsStrings());
        Assert.Equal(s, result.GetOutput("S").Raw.ToArray());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("raw-deflate")]
    public async Task InferAsync_CompressedBinaryResponse_Decompresses(string encoding)
    {
        var json = """{"model_name":"m","model_version":"1","outputs":[{"name":"A","datatype":"INT16","shape":[3],"parameters":{"binary_data_size":6}}]}""";
        var response = CannedResponse.Binary(json, [1, 0, 2, 0, 0xFF, 0xFF]).Compressed(encoding);

        var result = await InferAgainstAsync(response, new InferOptions { AcceptCompression = encoding == "gzip" ? "gzip" : "deflate" });

        Assert.Equal(new short[] { 1, 2, -1 }, result.GetOutput("A").AsArray<short>());
    }

    [Fact]
    public async Task InferAsync_GzipJsonResponse_Decompresses()
    {
        var result = await InferAgainstAsync(CannedResponse.Json(JsonOutput("FP64", "[1]", "[2.5]")).Compressed("gzip"));

        Assert.Equal([2.5], result.GetOutput("OUT").AsArray<double>());
    }

    [Fact]
    public async Task InferAsync_BinarySizeBeyondBody_ThrowsTurbineClientException()
    {
        var json = """{"model_name":"m","model_version":"1","outputs":[{"name":"A","datatype":"FP32","shape":[4],"parameters":{"binary_data_size":16}}]}""";

        var ex = await Assert.ThrowsAsync<TurbineClientException>(() => InferAgainstAsync(CannedResponse.Binary(json, new byte[8])));

        Assert.Contains("binary_data_size 16", ex.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InferAsync_JsonErrorBody_ThrowsWithStatusAndServerMessage()
    {
        var ex = await Assert.ThrowsAsync<TurbineClientException>(() =>
            InferAgainstAsync(CannedResponse.Json("""{"error":"input 'X': expected shape [-1,16], got [1]"}""", 400)));

        Assert.Equal(400, ex.StatusCode);
        Assert.Equal("input 'X': expected shape [-1,16], got [1]", ex.ServerMessage);
        Assert.Contains("400", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InferAsync_PlainTextErrorBody_ThrowsWithRawBody()
    {
        var ex = await Assert.ThrowsAsync<TurbineClientException>(() => InferAgainstAsync(CannedResponse.Text("upstream exploded", 502)));

        Assert.Equal(502, ex.StatusCode);
        Assert.Equal("upstream exploded", ex.ServerMessage);
    }

    [Fact]
    public async Task InferAsync_GzipErrorBody_ThrowsWithDecompressedMessage()
    {
        var ex = await Assert.ThrowsAsync<TurbineClientException>(() =>
            InferAgainstAsync(CannedResponse.Json("""{"error":"model 'm' is not ready"}""", 503).Compressed("gzip")));

        Assert.Equal(503, ex.StatusCode);
        Assert.Equal("model 'm' is not ready", ex.ServerMessage);
    }

    [Fact]
    public async Task GetOutput_UnknownName_ThrowsListingOutputs()
    {
        var result = await InferAgainstAsync(CannedResponse.Json(JsonOutput("INT32", "[1]", "[1]")));

        var ex = Assert.Throws<KeyNotFoundException>(() => result.GetOutput("MISSING"));

        Assert.Contains("'MISSING'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'OUT'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AsArray_TypeNotMatchingDatatype_ThrowsInvalidOperation()
    {
        var result = await InferAgainstAsync(CannedResponse.Json(JsonOutput("INT32", "[1]", "[1]")));

        var ex = Assert.Throws<InvalidOperationException>(() => result.GetOutput("OUT").AsArray<float>());

        Assert.Contains("INT32", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Single", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => result.GetOutput("OUT").AsStrings());
    }
}
