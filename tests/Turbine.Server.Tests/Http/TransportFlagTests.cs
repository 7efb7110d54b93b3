using System.Text;
using Microsoft.AspNetCore.Http;
using Turbine.Core;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Http;

/// <summary>
/// The binary tensor data extension's transport flags (<c>binary_data_output</c> on the request, <c>binary_data</c> on
/// a requested output) are read into fields, not into parameter dictionaries (issue 22, P7 round 3): what the fields
/// hold is what the dictionary gave, a non-bool value stays in the dictionary where the validator refuses it with the
/// message it always had, and every other parameter is still in the dictionary the engine and model see.
/// </summary>
public sealed class TransportFlagTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    private ServerHarness H => fixture.Harness;

    private static InferenceRequest Read(string parameters, string outputs = "")
    {
        var json = "{\"inputs\":[{\"name\":\"A\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[1]}]"
            + (parameters.Length > 0 ? ",\"parameters\":{" + parameters + "}" : "") + outputs + "}";
        var bytes = Encoding.UTF8.GetBytes(json);
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        var body = RequestBody.ReadAsync(context.Request, 1L << 20, "test limit", new RequestBodyBudget(1L << 30), CancellationToken.None)
            .GetAwaiter().GetResult().Value!;
        var result = InferRequestReader.Read("m", null, body, null);
        Assert.True(result.IsOk, result.Error?.Message);
        result.Value!.BodyOwner = body;
        return result.Value;
    }

    [Theory]
    [InlineData("\"binary_data_output\":true", true)]
    [InlineData("\"binary_data_output\":false", false)]
    [InlineData("\"binary_data_output\":\"x\",\"binary_data_output\":true", true)] // the last one wins, as in the dictionary
    public void RequestFlag_Bool_InFieldAndNoDictionary(string parameters, bool expected)
    {
        using var request = Read(parameters);
        Assert.Equal(expected, request.BinaryDataOutput);
        Assert.True(request.Parameters is null || request.Parameters.Count == 0);
    }

    [Fact]
    public void RequestFlag_Absent_FieldNull()
    {
        using var request = Read("");
        Assert.Null(request.BinaryDataOutput);
        Assert.Null(request.Parameters);
    }

    [Fact]
    public void RequestFlag_WithOtherParameters_OthersStayInDictionary()
    {
        using var request = Read("\"priority\":2,\"binary_data_output\":true,\"my_tag\":\"x\",\"sequence_id\":7");
        Assert.True(request.BinaryDataOutput);
        Assert.NotNull(request.Parameters);
        Assert.Equal(["priority", "my_tag", "sequence_id"], request.Parameters.Keys);
        Assert.Equal(2, request.Priority);
        Assert.Equal("x", request.Parameters["my_tag"].StringValue);
    }

    [Theory]
    [InlineData("\"binary_data_output\":\"yes\"")]
    [InlineData("\"binary_data_output\":1")]
    [InlineData("\"binary_data_output\":true,\"binary_data_output\":1")] // the last one wins
    public void RequestFlag_NotBool_StaysInDictionaryAndFieldNull(string parameters)
    {
        using var request = Read(parameters);
        Assert.Null(request.BinaryDataOutput);
        Assert.True(request.Parameters!.ContainsKey("binary_data_output"));
    }

    [Fact]
    public void OutputFlag_PerOutput_InFieldOthersInDictionary()
    {
        using var request = Read("", ",\"outputs\":[{\"name\":\"X\",\"parameters\":{\"binary_data\":true}},"
            + "{\"name\":\"Y\",\"parameters\":{\"binary_data\":false,\"classification\":3}},"
            + "{\"name\":\"Z\"},{\"name\":\"W\",\"parameters\":{\"binary_data\":\"no\"}}]");
        Assert.Equal([true, false, null, null], request.Outputs.Select(o => o.BinaryData));
        Assert.Null(request.Outputs[0].Parameters);
        Assert.Equal(["classification"], request.Outputs[1].Parameters!.Keys);
        Assert.Equal(3, request.Outputs[1].ClassificationCount);
        Assert.Null(request.Outputs[2].Parameters);
        Assert.Equal("no", request.Outputs[3].Parameters!["binary_data"].StringValue);
    }

    [Fact]
    public void OutputFlag_SharedOutputs_NeverMixFlagsOrParameters()
    {
        // Outputs with nothing but the flag are shared instances: alternating flags and parameters must never leak.
        for (var i = 0; i < 50; i++)
        {
            var flag = i % 3 == 0 ? "" : $"\"parameters\":{{\"binary_data\":{(i % 3 == 1 ? "true" : "false")}}}";
            var withClass = i % 5 == 0 ? "{\"name\":\"X\",\"parameters\":{\"classification\":2}}" : "{\"name\":\"X\"}";
            using var request = Read("", ",\"outputs\":[{\"name\":\"X\"" + (flag.Length > 0 ? "," + flag : "") + "}," + withClass.Replace("\"X\"", "\"Y\"") + "]");
            Assert.Equal(i % 3 == 0 ? null : i % 3 == 1, request.Outputs[0].BinaryData);
            Assert.Null(request.Outputs[0].Parameters);
            Assert.Equal("Y", request.Outputs[1].Name);
            Assert.Null(request.Outputs[1].BinaryData);
            Assert.Equal(i % 5 == 0 ? 2 : 0, request.Outputs[1].ClassificationCount);
        }
    }

    [Fact]
    public void OutputFlag_NotAScalar_SameErrorNamingTheOutput()
    {
        var bytes = Encoding.UTF8.GetBytes(
            "{\"inputs\":[],\"outputs\":[{\"name\":\"X\"},{\"name\":\"Y\",\"parameters\":{\"binary_data\":[1]}}]}");
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        using var body = RequestBody.ReadAsync(context.Request, 1L << 20, "test limit", new RequestBodyBudget(1L << 30), CancellationToken.None)
            .GetAwaiter().GetResult().Value!;
        var result = InferRequestReader.Read("m", null, body, null);
        Assert.False(result.IsOk);
        Assert.Equal("outputs[1] parameter 'binary_data' must be a bool, number or string, got a JSON StartArray", result.Error!.Message);
    }

    /// <summary>A binary <c>simple</c> request with the given request parameters and outputs; the response's parts.</summary>
    private async Task<(string Header, int DataBytes, HttpResponseMessage Response)> PostBinaryAsync(string parameters, string outputs)
    {
        var input = "{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}},"
            + "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"parameters\":{\"binary_data_size\":64}}";
        var json = "{\"inputs\":[" + input + "]" + (parameters.Length > 0 ? ",\"parameters\":{" + parameters + "}" : "") + outputs + "}";
        var (body, headerLength) = BinaryBody.Build(json, BinaryBody.Int32s([.. Enumerable.Range(0, 16)]), BinaryBody.Int32s([.. Enumerable.Repeat(1, 16)]));
        var response = await H.PostBytesAsync("/v2/models/simple/infer", body, headerLength);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var length = response.Headers.TryGetValues("Inference-Header-Content-Length", out var values)
            ? int.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture)
            : bytes.Length;
        return (Encoding.UTF8.GetString(bytes, 0, length), bytes.Length - length, response);
    }

    [Fact]
    public async Task Server_DefaultBinary_EveryOutputBinary()
    {
        var (header, dataBytes, response) = await PostBinaryAsync("\"binary_data_output\":true", "");
        using (response)
        {
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(128, dataBytes);
            Assert.Equal(2, header.Split("\"binary_data_size\":64").Length - 1);
            Assert.DoesNotContain("\"data\"", header, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Server_NoFlag_JsonOutputs()
    {
        var (header, dataBytes, response) = await PostBinaryAsync("\"binary_data_output\":false", "");
        using (response)
        {
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(0, dataBytes);
            Assert.False(response.Headers.Contains("Inference-Header-Content-Length"));
            Assert.Contains("\"data\"", header, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Server_PerOutputFlag_OverridesDefault()
    {
        // Default binary, OUTPUT0 asked as JSON; OUTPUT1 binary without a default, by its own flag.
        var (header, dataBytes, response) = await PostBinaryAsync("\"binary_data_output\":true",
            ",\"outputs\":[{\"name\":\"OUTPUT0\",\"parameters\":{\"binary_data\":false}},{\"name\":\"OUTPUT1\"}]");
        using (response)
        {
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(64, dataBytes);
            using var doc = System.Text.Json.JsonDocument.Parse(header);
            var outputs = doc.RootElement.GetProperty("outputs");
            Assert.Equal("OUTPUT0", outputs[0].GetProperty("name").GetString());
            Assert.Equal(1, outputs[0].GetProperty("data")[0].GetInt32());
            Assert.Equal(64, outputs[1].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        }

        (header, dataBytes, response) = await PostBinaryAsync("",
            ",\"outputs\":[{\"name\":\"OUTPUT0\"},{\"name\":\"OUTPUT1\",\"parameters\":{\"binary_data\":true,\"my_tag\":1}}]");
        using (response)
        {
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(64, dataBytes);
            using var doc = System.Text.Json.JsonDocument.Parse(header);
            Assert.True(doc.RootElement.GetProperty("outputs")[0].TryGetProperty("data", out _));
            Assert.False(doc.RootElement.GetProperty("outputs")[1].TryGetProperty("data", out _));
        }
    }

    [Theory]
    [InlineData("\"binary_data_output\":true,\"binary_data_output\":\"yes\"", "request parameter 'binary_data_output' expects a bool, got string \"yes\"")]
    [InlineData("\"binary_data_output\":true,\"priority\":\"high\"", "request parameter 'priority' expects a non-negative integer (0 = the model's default level), got string \"high\"")]
    public async Task Server_BinaryRequest_BadParametersRefusedAsBefore(string parameters, string expected)
    {
        var (header, _, response) = await PostBinaryAsync(parameters, "");
        using (response)
        {
            Assert.Equal(400, (int)response.StatusCode);
            using var doc = System.Text.Json.JsonDocument.Parse(header);
            Assert.Equal(expected, doc.RootElement.GetProperty("error").GetString());
        }
    }
}
