using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Turbine.Protocol;

namespace Turbine.Server.Tests.Http;

public sealed class InferTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private ServerHarness H => fixture.Harness;

    [Fact]
    public async Task Infer_SimpleJson_ReturnsSumAndDifference()
    {
        var (status, body) = await H.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson(id: "req-1"));
        Assert.Equal(200, status);
        Assert.Equal("simple", body.GetProperty("model_name").GetString());
        Assert.Equal("1", body.GetProperty("model_version").GetString());
        Assert.Equal("req-1", body.GetProperty("id").GetString());
        var outputs = body.GetProperty("outputs");
        Assert.Equal(Enumerable.Range(1, 16), outputs[0].GetProperty("data").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(Enumerable.Range(-1, 16), outputs[1].GetProperty("data").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1L, 16L], outputs[0].GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public async Task Infer_NestedJsonData_IsRowMajor()
    {
        var rows = "[[" + string.Join(",", Enumerable.Range(0, 16)) + "],[" + string.Join(",", Enumerable.Range(100, 16)) + "]]";
        var ones = "[[" + string.Join(",", Enumerable.Repeat(1, 16)) + "],[" + string.Join(",", Enumerable.Repeat(2, 16)) + "]]";
        var json = $"{{\"inputs\":[{{\"name\":\"INPUT0\",\"shape\":[2,16],\"datatype\":\"INT32\",\"data\":{rows}}},{{\"name\":\"INPUT1\",\"shape\":[2,16],\"datatype\":\"INT32\",\"data\":{ones}}}]}}";
        var (status, body) = await H.PostJsonAsync("/v2/models/simple/infer", json);
        Assert.Equal(200, status);
        var sum = body.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(32, sum.Length);
        Assert.Equal(1, sum[0]);
        Assert.Equal(102, sum[16]);
    }

    [Fact]
    public async Task Infer_RequestedOutputSubset_ReturnsOnlyThatOutput()
    {
        var (status, body) = await H.PostJsonAsync("/v2/models/simple/infer",
            ServerHarness.SimpleJson(outputs: ",\"outputs\":[{\"name\":\"OUTPUT1\"}]"));
        Assert.Equal(200, status);
        var outputs = body.GetProperty("outputs");
        Assert.Equal(1, outputs.GetArrayLength());
        Assert.Equal("OUTPUT1", outputs[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Infer_SimpleString_AddsDecimalText()
    {
        var a = string.Join(",", Enumerable.Range(0, 16).Select(i => $"\"{i}\""));
        var b = string.Join(",", Enumerable.Range(0, 16).Select(i => $"\"{-i * 10}\""));
        var json = $"{{\"inputs\":[{{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"BYTES\",\"data\":[{a}]}},{{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"BYTES\",\"data\":[{b}]}}]}}";
        var (status, body) = await H.PostJsonAsync("/v2/models/simple_string/infer", json);
        Assert.Equal(200, status);
        var sum = body.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal("BYTES", body.GetProperty("outputs")[0].GetProperty("datatype").GetString());
        Assert.Equal("-9", sum[1]);
        Assert.Equal("-135", sum[15]);
    }

    [Fact]
    public async Task Infer_Classification_ReturnsTopKWithLabels()
    {
        const string json = "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2,6.7,3.0,5.2,2.3]}]," +
            "\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"classification\":2}}]}";
        var (status, body) = await H.PostJsonAsync("/v2/models/iris/infer", json);
        Assert.Equal(200, status);
        var output = body.GetProperty("outputs")[0];
        Assert.Equal("BYTES", output.GetProperty("datatype").GetString());
        Assert.Equal([2L, 2L], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        var data = output.GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.EndsWith(":0:setosa", data[0]);
        Assert.EndsWith(":2:virginica", data[2]);
        Assert.True(double.Parse(data[0].Split(':')[0], System.Globalization.CultureInfo.InvariantCulture) > 0.9);
    }

    [Fact]
    public async Task Infer_BinaryInputsAndOutputs_RoundTrip()
    {
        const string header = "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}}," +
            "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}}]," +
            "\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{\"binary_data\":true}},{\"name\":\"OUTPUT1\",\"parameters\":{\"binary_data\":false}}]}";
        var (body, length) = BinaryBody.Build(header, BinaryBody.Int32s([.. Enumerable.Range(0, 16)]), BinaryBody.Int32s([.. Enumerable.Repeat(5, 16)]));
        using var response = await H.PostBytesAsync("/v2/models/simple/infer", body, length);
        Assert.Equal(200, (int)response.StatusCode);
        var (json, rest) = await BinaryBody.ReadAsync(response);
        var outputs = json.GetProperty("outputs");
        Assert.Equal(64, outputs[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.False(outputs[0].TryGetProperty("data", out _));
        var sum = new int[16];
        Buffer.BlockCopy(rest, 0, sum, 0, 64);
        Assert.Equal(Enumerable.Range(5, 16), sum);
        Assert.Equal(Enumerable.Range(-5, 16), outputs[1].GetProperty("data").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task Infer_BinaryDataOutputParameter_MakesEveryOutputBinary()
    {
        var json = ServerHarness.SimpleJson()[..^1] + ",\"parameters\":{\"binary_data_output\":true}}";
        using var response = await H.PostBytesAsync("/v2/models/simple/infer", Encoding.UTF8.GetBytes(json));
        Assert.Equal(200, (int)response.StatusCode);
        var (header, rest) = await BinaryBody.ReadAsync(response);
        Assert.Equal(128, rest.Length);
        Assert.All(header.GetProperty("outputs").EnumerateArray(), o => Assert.Equal(64, o.GetProperty("parameters").GetProperty("binary_data_size").GetInt32()));
    }

    [Fact]
    public async Task Infer_BinaryBytesTensor_RoundTripsThroughIdentity()
    {
        var strings = new[] { "", "hello", "naïve ✓", "x" };
        var section = BinaryBody.Strings(strings);
        var header = $"{{\"inputs\":[{{\"name\":\"INPUT0\",\"shape\":[2,2],\"datatype\":\"BYTES\",\"parameters\":{{\"binary_data_size\":{section.Length}}}}}],\"parameters\":{{\"binary_data_output\":true}}}}";
        var (body, length) = BinaryBody.Build(header, section);
        using var response = await H.PostBytesAsync("/v2/models/simple_identity/infer", body, length);
        Assert.Equal(200, (int)response.StatusCode);
        var (_, rest) = await BinaryBody.ReadAsync(response);
        Assert.Equal(section, rest);
    }

    [Fact]
    public async Task Infer_HeaderLengthZero_WholeBodyIsTheSingleInput()
    {
        var raw = BinaryBody.Floats(5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f);
        using var response = await H.PostBytesAsync("/v2/models/iris/infer", raw, headerLength: 0);
        Assert.Equal(200, (int)response.StatusCode);
        var json = await ServerHarness.ReadJsonAsync(response);
        var output = json.GetProperty("outputs")[0];
        Assert.Equal([2L, 3L], output.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public async Task Infer_HeaderLengthZero_OnTwoInputModel_Returns400()
    {
        using var response = await H.PostBytesAsync("/v2/models/simple/infer", new byte[128], headerLength: 0);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("2 inputs", (await ServerHarness.ReadJsonAsync(response)).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task Infer_CompressedRequestAndResponse_Work(string encoding)
    {
        var plain = Encoding.UTF8.GetBytes(ServerHarness.SimpleJson());
        using var ms = new MemoryStream();
        await using (Stream z = encoding == "gzip" ? new GZipStream(ms, CompressionLevel.Optimal, true) : new ZLibStream(ms, CompressionLevel.Optimal, true))
        {
            await z.WriteAsync(plain);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/simple/infer") { Content = new ByteArrayContent(ms.ToArray()) };
        request.Content.Headers.ContentEncoding.Add(encoding);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        using var response = await H.Http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(encoding, response.Content.Headers.ContentEncoding.Single());
        var compressed = await response.Content.ReadAsStreamAsync();
        await using Stream unzip = encoding == "gzip" ? new GZipStream(compressed, CompressionMode.Decompress) : new ZLibStream(compressed, CompressionMode.Decompress);
        using var doc = await JsonDocument.ParseAsync(unzip);
        Assert.Equal(1, doc.RootElement.GetProperty("outputs")[0].GetProperty("data")[0].GetInt32());
    }

    [Fact]
    public async Task Infer_ExplicitVersion_Works()
    {
        var (status, body) = await H.PostJsonAsync("/v2/models/simple/versions/1/infer", ServerHarness.SimpleJson());
        Assert.Equal(200, status);
        Assert.Equal("1", body.GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Infer_PriorityAndTimeoutParameters_AreAccepted()
    {
        var json = ServerHarness.SimpleJson()[..^1] + ",\"parameters\":{\"priority\":1,\"timeout\":5000000}}";
        var (status, _) = await H.PostJsonAsync("/v2/models/simple/infer", json);
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Infer_Int8AndIdentityFp32_Work()
    {
        var a = string.Join(",", Enumerable.Repeat(127, 16));
        var json = $"{{\"inputs\":[{{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT8\",\"data\":[{a}]}},{{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT8\",\"data\":[{string.Join(",", Enumerable.Repeat(1, 16))}]}}]}}";
        var (status, body) = await H.PostJsonAsync("/v2/models/simple_int8/infer", json);
        Assert.Equal(200, status);
        Assert.Equal(-128, body.GetProperty("outputs")[0].GetProperty("data")[0].GetInt32());

        var (s2, b2) = await H.PostJsonAsync("/v2/models/identity_fp32/infer",
            "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1.5,-2.25,1e30]}]}");
        Assert.Equal(200, s2);
        var values = b2.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(1.5, values[0]);
        Assert.Equal(-2.25, values[1]);
        Assert.Equal(1e30, values[2], 1e30 * 1e-6);
    }
}
