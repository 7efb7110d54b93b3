using System.Text;

namespace Turbine.Server.Tests.Http;

/// <summary>
/// Well-known parameters with the wrong type are refused, naming the parameter and the type it expects, instead of
/// being ignored (issue 11, item 13); BYTES outputs that are not UTF-8 keep their bytes in JSON (base64).
/// </summary>
public sealed class RequestParameterTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private ServerHarness H => fixture.Harness;

    [Theory]
    [InlineData("\"timeout\":\"x\"", "request parameter 'timeout' expects a non-negative integer (microseconds), got string \"x\"")]
    [InlineData("\"timeout\":-5", "request parameter 'timeout' expects a non-negative integer (microseconds), got integer -5")]
    [InlineData("\"timeout\":1.5", "request parameter 'timeout' expects a non-negative integer (microseconds), got number 1.5")]
    [InlineData("\"binary_data_output\":\"yes\"", "request parameter 'binary_data_output' expects a bool, got string \"yes\"")]
    [InlineData("\"binary_data_output\":1", "request parameter 'binary_data_output' expects a bool, got integer 1")]
    [InlineData("\"priority\":\"high\"", "request parameter 'priority' expects a non-negative integer (0 = the model's default level), got string \"high\"")]
    [InlineData("\"priority\":true", "request parameter 'priority' expects a non-negative integer (0 = the model's default level), got bool true")]
    public async Task Infer_WrongTypeRequestParameter_400NamesParameterAndType(string parameter, string expected)
    {
        var json = ServerHarness.SimpleJson().Insert(1, "\"parameters\":{" + parameter + "},");
        var (status, body) = await H.PostJsonAsync("/v2/models/simple/infer", json);
        Assert.Equal(400, status);
        Assert.Equal(expected, body.GetProperty("error").GetString());
        await AssertHealthyAsync();
    }

    [Theory]
    [InlineData("\"binary_data\":\"yes\"", "output 'OUTPUT0': parameter 'binary_data' expects a bool, got string \"yes\"")]
    [InlineData("\"classification\":\"3\"", "output 'OUTPUT0': parameter 'classification' expects a positive integer, got 3")]
    public async Task Infer_WrongTypeOutputParameter_400NamesParameter(string parameter, string expected)
    {
        var json = ServerHarness.SimpleJson(outputs: ",\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{" + parameter + "}}]");
        var (status, body) = await H.PostJsonAsync("/v2/models/simple/infer", json);
        Assert.Equal(400, status);
        Assert.Equal(expected, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_RightTypesAndUnknownParameters_Accepted()
    {
        var json = ServerHarness.SimpleJson(outputs: ",\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{\"binary_data\":false}}]")
            .Insert(1, "\"parameters\":{\"timeout\":5000000,\"priority\":0,\"binary_data_output\":false,\"my_tag\":\"x\"},");
        var (status, body) = await H.PostJsonAsync("/v2/models/simple/infer", json);
        Assert.Equal(200, status);
        Assert.Equal(1, body.GetProperty("outputs")[0].GetProperty("data")[0].GetInt32());
    }

    [Fact]
    public async Task Infer_BytesOutputNotUtf8_JsonCarriesExactBytesAsBase64()
    {
        // simple_identity echoes its BYTES input: one valid element and two that are not UTF-8.
        byte[][] elements = [Encoding.UTF8.GetBytes("ok"), [0x61, 0xFF, 0x62], [0xC3, 0x28]];
        var data = new MemoryStream();
        foreach (var e in elements)
        {
            data.Write(BitConverter.GetBytes(e.Length));
            data.Write(e);
        }

        var header = "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,3],\"datatype\":\"BYTES\",\"parameters\":{\"binary_data_size\":" + data.Length + "}}]}";
        var (body, length) = BinaryBody.Build(header, data.ToArray());
        using var response = await H.PostBytesAsync("/v2/models/simple_identity/infer", body, length);
        Assert.Equal(200, (int)response.StatusCode);
        var output = (await ServerHarness.ReadJsonAsync(response)).GetProperty("outputs")[0];
        Assert.Equal("base64", output.GetProperty("parameters").GetProperty("content_type").GetString());
        var decoded = output.GetProperty("data").EnumerateArray().Select(e => e.GetBytesFromBase64()).ToArray();
        Assert.Equal(elements, decoded);
    }

    [Fact]
    public async Task Infer_BytesOutputUtf8_PlainStringsWithoutContentType()
    {
        var (status, body) = await H.PostJsonAsync("/v2/models/simple_identity/infer",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,2],\"datatype\":\"BYTES\",\"data\":[\"h\\u00e9\",\"x\"]}]}");
        Assert.Equal(200, status);
        var output = body.GetProperty("outputs")[0];
        Assert.False(output.TryGetProperty("parameters", out _));
        Assert.Equal(["h\u00e9", "x"], output.GetProperty("data").EnumerateArray().Select(e => e.GetString()));
    }

    private async Task AssertHealthyAsync()
    {
        var (status, json) = await H.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson());
        Assert.Equal(200, status);
        Assert.Equal(1, json.GetProperty("outputs")[0].GetProperty("data")[0].GetInt32());
    }
}
