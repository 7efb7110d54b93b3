using System.Text;

namespace Turbine.Server.Tests.Http;

public sealed class InferErrorTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private ServerHarness H => fixture.Harness;

    private static string Input(string name, string shape, string type, string data) =>
        $"{{\"name\":\"{name}\",\"shape\":{shape},\"datatype\":\"{type}\",\"data\":{data}}}";

    private static readonly string Sixteen = "[" + string.Join(",", Enumerable.Range(0, 16)) + "]";

    [Theory]
    [InlineData("{\"inputs\":[", 400, "malformed")]
    [InlineData("[1,2]", 400, "must be an object")]
    [InlineData("{}", 400, "missing field 'inputs'")]
    [InlineData("{\"inputs\":[],\"bogus\":1}", 400, "unexpected field 'bogus'")]
    [InlineData("{\"inputs\":{}}", 400, "'inputs' must be an array")]
    public async Task Infer_MalformedBodies_Return400NamingTheProblem(string body, int status, string message)
    {
        var (actual, json) = await H.PostJsonAsync("/v2/models/simple/infer", body);
        Assert.Equal(status, actual);
        Assert.Contains(message, json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_UnknownModel_Returns400WithTritonText()
    {
        var (status, json) = await H.PostJsonAsync("/v2/models/nosuch/infer", ServerHarness.SimpleJson());
        Assert.Equal(400, status);
        Assert.Equal("Request for unknown model: 'nosuch' is not found", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_UnknownVersion_Returns404WithTritonText()
    {
        var (status, json) = await H.PostJsonAsync("/v2/models/simple/versions/9/infer", ServerHarness.SimpleJson());
        Assert.Equal(404, status);
        Assert.Equal("Request for unknown model: 'simple' version 9 is not found", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_MissingInput_NamesIt()
    {
        var (status, json) = await H.PostJsonAsync("/v2/models/simple/infer", $"{{\"inputs\":[{Input("INPUT0", "[1,16]", "INT32", Sixteen)}]}}");
        Assert.Equal(400, status);
        Assert.Contains("missing required input(s) ['INPUT1']", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_ExtraInput_NamesIt()
    {
        var body = $"{{\"inputs\":[{Input("INPUT0", "[1,16]", "INT32", Sixteen)},{Input("INPUT1", "[1,16]", "INT32", Sixteen)},{Input("INPUT9", "[1,16]", "INT32", Sixteen)}]}}";
        var (status, json) = await H.PostJsonAsync("/v2/models/simple/infer", body);
        Assert.Equal(400, status);
        Assert.Contains("unexpected inference input 'INPUT9'", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_DuplicateInput_NamesIt()
    {
        var body = $"{{\"inputs\":[{Input("INPUT0", "[1,16]", "INT32", Sixteen)},{Input("INPUT0", "[1,16]", "INT32", Sixteen)}]}}";
        var (status, json) = await H.PostJsonAsync("/v2/models/simple/infer", body);
        Assert.Equal(400, status);
        Assert.Contains("'INPUT0' appears more than once", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_WrongDatatype_NamesExpectedAndActual()
    {
        var body = $"{{\"inputs\":[{Input("INPUT0", "[1,16]", "FP32", Sixteen)},{Input("INPUT1", "[1,16]", "INT32", Sixteen)}]}}";
        var (status, json) = await H.PostJsonAsync("/v2/models/simple/infer", body);
        Assert.Equal(400, status);
        var error = json.GetProperty("error").GetString();
        Assert.Contains("'INPUT0'", error);
        Assert.Contains("expected datatype INT32, got FP32", error);
    }

    [Fact]
    public async Task Infer_UnknownDatatype_ListsValidOnes()
    {
        var body = $"{{\"inputs\":[{Input("INPUT0", "[1,16]", "FP33", Sixteen)}]}}";
        var (status, json) = await H.PostJsonAsync("/v2/models/simple/infer", body);
        Assert.Equal(400, status);
        Assert.Contains("unknown datatype 'FP33'", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_WrongShape_NamesExpectedAndActual()
    {
        var fifteen = "[" + string.Join(",", Enumerable.Range(0, 15)) + "]";
        var body = $"{{\"inputs\":[{Input("INPUT0", "[1,15]", "INT32", fifteen)},{Input("INPUT1", "[1,15]", "INT32", fifteen)}]}}";
        var (status, json) = await H.PostJsonAsync("/v2/models/simple/infer", body);
        Assert.Equal(400, status);
        var error = json.GetProperty("error").GetString();
        Assert.Contains("expected shape [-1,16], got [1,15]", error);
    }

    [Fact]
    public async Task Infer_BatchOverMax_Returns400()
    {
        var data = "[" + string.Join(",", Enumerable.Range(0, 16 * 9)) + "]";
        var body = $"{{\"inputs\":[{Input("INPUT0", "[9,16]", "INT32", data)},{Input("INPUT1", "[9,16]", "INT32", data)}]}}";
        var (status, json) = await H.PostJsonAsync("/v2/models/simple/infer", body);
        Assert.Equal(400, status);
        Assert.Contains("max_batch_size 8, got 9", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_ElementCountMismatch_NamesCounts()
    {
        var body = $"{{\"inputs\":[{Input("INPUT0", "[1,16]", "INT32", "[1,2,3]")},{Input("INPUT1", "[1,16]", "INT32", Sixteen)}]}}";
        var (status, json) = await H.PostJsonAsync("/v2/models/simple/infer", body);
        Assert.Equal(400, status);
        Assert.Contains("needs 16 elements, but 'data' holds 3", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_ValueOutOfRange_NamesElement()
    {
        var data = "[300," + string.Join(",", Enumerable.Range(0, 15)) + "]";
        var body = $"{{\"inputs\":[{Input("INPUT0", "[1,16]", "INT8", data)},{Input("INPUT1", "[1,16]", "INT8", Sixteen)}]}}";
        var (status, json) = await H.PostJsonAsync("/v2/models/simple_int8/infer", body);
        Assert.Equal(400, status);
        Assert.Contains("element 0 value 300 is not a valid INT8", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_BinarySizeMismatch_Returns400()
    {
        const string header = "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}}," +
            "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}}]}";
        var (body, length) = BinaryBody.Build(header, new byte[64], new byte[60]);
        using var response = await H.PostBytesAsync("/v2/models/simple/infer", body, length);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("totalling 128 bytes, but 124 bytes follow", (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_BinarySizeDisagreesWithShape_Returns400()
    {
        const string header = "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":60}}," +
            "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}}]}";
        var (body, length) = BinaryBody.Build(header, new byte[60], new byte[64]);
        using var response = await H.PostBytesAsync("/v2/models/simple/infer", body, length);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("needs 64 bytes (16 elements), got 60 bytes", (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_HeaderLengthBeyondBody_Returns400()
    {
        using var response = await H.PostBytesAsync("/v2/models/simple/infer", Encoding.UTF8.GetBytes("{}"), headerLength: 99);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("out of range", (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_BrokenBytesFraming_Returns400()
    {
        var section = new byte[] { 200, 0, 0, 0, 1, 2 };
        var header = $"{{\"inputs\":[{{\"name\":\"INPUT0\",\"shape\":[1,1],\"datatype\":\"BYTES\",\"parameters\":{{\"binary_data_size\":{section.Length}}}}}]}}";
        var (body, length) = BinaryBody.Build(header, section);
        using var response = await H.PostBytesAsync("/v2/models/simple_identity/infer", body, length);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("declares 200 bytes", (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_UnknownRequestedOutput_NamesIt()
    {
        var (status, json) = await H.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson(outputs: ",\"outputs\":[{\"name\":\"OUTPUT7\"}]"));
        Assert.Equal(400, status);
        Assert.Contains("unexpected inference output 'OUTPUT7'", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_BadGzipBody_Returns400()
    {
        using var response = await H.PostBytesAsync("/v2/models/simple/infer", [1, 2, 3, 4, 5], configure: r => r.Content!.Headers.ContentEncoding.Add("gzip"));
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("gzip", (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_UnsupportedContentEncoding_Returns501()
    {
        using var response = await H.PostBytesAsync("/v2/models/simple/infer", [1, 2, 3], configure: r => r.Content!.Headers.ContentEncoding.Add("br"));
        Assert.Equal(501, (int)response.StatusCode);
    }
}
