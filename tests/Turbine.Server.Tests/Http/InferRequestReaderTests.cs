using System.Text;
using Microsoft.AspNetCore.Http;
using Turbine.Core;
using Turbine.Core.Config;
using Turbine.Core.Tensors;
using Turbine.Server.Http;

namespace Turbine.Server.Tests.Http;

public sealed class InferRequestReaderTests
{
    private static RequestBody Body(byte[] bytes)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        var read = RequestBody.ReadAsync(context.Request, 1L << 30, "test limit", new RequestBodyBudget(1L << 31), CancellationToken.None).GetAwaiter().GetResult();
        Assert.True(read.IsOk, read.Error?.Message);
        return read.Value!;
    }

    private static Result<InferenceRequest> Read(string json, params byte[][] sections)
    {
        var (bytes, headerLength) = BinaryBody.Build(json, sections);
        return Read(bytes, sections.Length == 0 ? null : headerLength);
    }

    private static Result<InferenceRequest> Read(byte[] bytes, int? headerLength)
    {
        var body = Body(bytes);
        var result = InferRequestReader.Read("m", null, body, headerLength);
        if (result.IsOk)
        {
            result.Value!.BodyOwner = body;
        }
        else
        {
            body.Dispose();
        }

        return result;
    }

    private static string Error(string json, params byte[][] sections)
    {
        var result = Read(json, sections);
        Assert.False(result.IsOk);
        Assert.Equal(StatusCode.InvalidArgument, result.Error!.Code);
        return result.Error.Message;
    }

    private static string Input(string name, string datatype, string shape, string rest) =>
        $"{{\"name\":\"{name}\",\"datatype\":\"{datatype}\",\"shape\":{shape},{rest}}}";

    [Fact]
    public void Read_MixedJsonAndBinaryInputs_SlicesSectionsInInputOrder()
    {
        var json = "{\"inputs\":[" +
            Input("A", "INT32", "[2]", "\"parameters\":{\"binary_data_size\":8}") + "," +
            Input("B", "FP32", "[1]", "\"data\":[1.5]") + "," +
            Input("C", "BYTES", "[2]", "\"parameters\":{\"binary_data_size\":13}") + "," +
            Input("D", "UINT8", "[3]", "\"parameters\":{\"binary_data_size\":3}") + "]}";
        var result = Read(json, BinaryBody.Int32s(7, -7), BinaryBody.Strings("", "hello"), [9, 8, 7]);
        Assert.True(result.IsOk, result.Error?.Message);
        using var request = result.Value!;
        Assert.Equal(["A", "B", "C", "D"], request.Inputs.Select(i => i.Name));
        Assert.Equal(BinaryBody.Int32s(7, -7), request.Inputs[0].Data.ToArray());
        Assert.Equal(BinaryBody.Floats(1.5f), request.Inputs[1].Data.ToArray());
        Assert.Equal(BinaryBody.Strings("", "hello"), request.Inputs[2].Data.ToArray());
        Assert.Equal([9, 8, 7], request.Inputs[3].Data.ToArray());
        Assert.Equal(TensorDataType.Bytes, request.Inputs[2].DataType);
        Assert.Equal([3L], request.Inputs[3].Shape);
    }

    [Fact]
    public void Read_ZeroSizedBinaryInput_IsEmpty()
    {
        var json = "{\"inputs\":[" + Input("A", "FP32", "[0]", "\"parameters\":{\"binary_data_size\":0}") + "," +
            Input("B", "INT8", "[1]", "\"parameters\":{\"binary_data_size\":1}") + "]}";
        var result = Read(json, [], [0xFF]);
        Assert.True(result.IsOk, result.Error?.Message);
        using var request = result.Value!;
        Assert.Equal(0, request.Inputs[0].Data.Length);
        Assert.Equal([0xFF], request.Inputs[1].Data.ToArray());
    }

    [Fact]
    public void Read_DataAndBinaryDataSize_IsAnError()
    {
        var message = Error("{\"inputs\":[" + Input("A", "INT32", "[1]", "\"data\":[1],\"parameters\":{\"binary_data_size\":4}") + "]}", BinaryBody.Int32s(1));
        Assert.Contains("input 'A' has both 'data' and binary_data_size", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-4")]
    [InlineData("4.5")]
    [InlineData("\"4\"")]
    [InlineData("true")]
    [InlineData("18446744073709551615")]
    public void Read_BadBinaryDataSize_IsAnError(string size)
    {
        var message = Error("{\"inputs\":[" + Input("A", "INT32", "[1]", $"\"parameters\":{{\"binary_data_size\":{size}}}") + "]}", BinaryBody.Int32s(1));
        Assert.Contains("input 'A': binary_data_size must be a non-negative integer", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BinarySizesOverflowingWhenSummed_IsAnErrorNotACrash()
    {
        // 2^63-1 + 2^63-1 + 2 wraps to 0 in a long: the sum must not be trusted.
        var json = "{\"inputs\":[" +
            Input("A", "UINT8", "[1]", "\"parameters\":{\"binary_data_size\":9223372036854775807}") + "," +
            Input("B", "UINT8", "[1]", "\"parameters\":{\"binary_data_size\":9223372036854775807}") + "," +
            Input("C", "UINT8", "[2]", "\"parameters\":{\"binary_data_size\":2}") + "]}";
        var result = Read(Encoding.UTF8.GetBytes(json), Encoding.UTF8.GetByteCount(json));
        Assert.False(result.IsOk);
        Assert.Equal(StatusCode.InvalidArgument, result.Error!.Code);
        Assert.Contains("binary_data_size totalling more than 9223372036854775807 bytes, but 0 bytes follow", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BinarySizesDisagreeWithBody_IsAnError()
    {
        var message = Error("{\"inputs\":[" + Input("A", "INT32", "[2]", "\"parameters\":{\"binary_data_size\":8}") + "]}", BinaryBody.Int32s(1));
        Assert.Contains("totalling 8 bytes, but 4 bytes follow", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TrailingBytesWithoutBinaryInputs_IsAnError()
    {
        var message = Error("{\"inputs\":[" + Input("A", "INT32", "[1]", "\"data\":[1]") + "]}", [1, 2]);
        Assert.Contains("2 bytes after the JSON header but no input declares binary_data_size", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1000)]
    public void Read_HeaderLengthOutOfRange_IsAnError(int headerLength)
    {
        var result = Read(Encoding.UTF8.GetBytes("{\"inputs\":[]}"), headerLength);
        Assert.False(result.IsOk);
        Assert.Contains($"Inference-Header-Content-Length {headerLength} is out of range: the body has 13 bytes", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderLengthCutsTheJson_IsAMalformedError()
    {
        var result = Read(Encoding.UTF8.GetBytes("{\"inputs\":[]}"), 5);
        Assert.False(result.IsOk);
        Assert.Contains("malformed inference request", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_InputWithoutData_IsAnError()
    {
        var message = Error("{\"inputs\":[" + Input("A", "INT32", "[1]", "\"parameters\":{}") + "]}");
        Assert.Contains("input 'A' has neither 'data' nor a 'binary_data_size' parameter", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ParametersOfEveryKind_AreKept()
    {
        var json = "{\"id\":\"r1\",\"parameters\":{\"b\":true,\"f\":false,\"i\":-5,\"u\":18446744073709551615,\"d\":2.5,\"s\":\"x\"}," +
            "\"inputs\":[" + Input("A", "INT32", "[1]", "\"data\":[1],\"parameters\":{\"k\":7}") + "]," +
            "\"outputs\":[{\"name\":\"O\",\"parameters\":{\"binary_data\":true,\"classification\":3}}]}";
        var result = Read(json);
        Assert.True(result.IsOk, result.Error?.Message);
        using var request = result.Value!;
        var p = request.Parameters!;
        Assert.Equal("r1", request.Id);
        Assert.Equal(InferParameter.FromBool(true), p["b"]);
        Assert.Equal(InferParameter.FromBool(false), p["f"]);
        Assert.Equal(InferParameter.FromInt64(-5), p["i"]);
        Assert.Equal(InferParameterKind.UInt64, p["u"].Kind);
        Assert.Equal(ulong.MaxValue, p["u"].UInt64Value);
        Assert.Equal(InferParameter.FromDouble(2.5), p["d"]);
        Assert.Equal(InferParameter.FromString("x"), p["s"]);
        Assert.Equal(InferParameter.FromInt64(7), request.Inputs[0].Parameters!["k"]);
        Assert.Equal("O", request.Outputs[0].Name);
        Assert.Equal(InferParameter.FromInt64(3), request.Outputs[0].Parameters!["classification"]);
    }

    [Fact]
    public void Read_HugeDoubleParameter_DoesNotCrash()
    {
        // System.Text.Json reads a number beyond double's range as an infinity rather than throwing.
        var result = Read("{\"parameters\":{\"x\":1e999},\"inputs\":[" + Input("A", "INT32", "[1]", "\"data\":[1]") + "]}");
        Assert.True(result.IsOk, result.Error?.Message);
        using var request = result.Value!;
        Assert.Equal(InferParameterKind.Double, request.Parameters!["x"].Kind);
    }

    [Theory]
    [InlineData("{\"parameters\":{\"a\":[1]},\"inputs\":[]}", "request parameter 'a' must be a bool, number or string")]
    [InlineData("{\"parameters\":{\"a\":{}},\"inputs\":[]}", "request parameter 'a' must be a bool, number or string")]
    [InlineData("{\"parameters\":{\"a\":null},\"inputs\":[]}", "request parameter 'a' must be a bool, number or string")]
    [InlineData("{\"parameters\":[],\"inputs\":[]}", "request 'parameters' must be a JSON object")]
    [InlineData("{\"inputs\":[{\"name\":\"A\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[1],\"parameters\":{\"p\":[]}}]}", "input 'A' parameter 'p' must be a bool, number or string")]
    [InlineData("{\"inputs\":[],\"outputs\":[{\"name\":\"O\",\"parameters\":{\"p\":{}}}]}", "outputs[0] parameter 'p' must be a bool, number or string")]
    public void Read_ParameterArraysAndObjects_AreRejected(string json, string expected)
    {
        Assert.Contains(expected, Error(json), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"inputs\":[],\"model\":\"x\"}", "unexpected field 'model'")]
    [InlineData("{\"inputs\":[{\"name\":\"A\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[1],\"contents\":{}}]}", "input 'A': unexpected field 'contents'")]
    [InlineData("{\"inputs\":[{\"foo\":1}]}", "inputs[0]: unexpected field 'foo'")]
    [InlineData("{\"inputs\":[],\"outputs\":[{\"name\":\"O\",\"binary_data\":true}]}", "outputs[0]: unexpected field 'binary_data'")]
    [InlineData("{\"id\":5,\"inputs\":[]}", "field 'id' must be a string")]
    [InlineData("{\"outputs\":[]}", "missing field 'inputs'")]
    [InlineData("[]", "must be an object")]
    [InlineData("{\"inputs\":[]} x", "malformed inference request")]
    [InlineData("{\"inputs\":[{\"name\":\"A\",\"shape\":[1],\"data\":[1]}]}", "input 'A': missing field 'datatype'")]
    [InlineData("{\"inputs\":[{\"name\":\"A\",\"datatype\":\"INT31\",\"shape\":[1],\"data\":[1]}]}", "unknown datatype 'INT31'")]
    [InlineData("{\"inputs\":[{\"name\":\"A\",\"datatype\":\"INT32\",\"shape\":[-1],\"data\":[1]}]}", "'shape' must hold non-negative integers")]
    [InlineData("{\"inputs\":[{\"name\":\"A\",\"datatype\":\"INT32\",\"shape\":[1.5],\"data\":[1]}]}", "'shape' must hold non-negative integers")]
    [InlineData("{\"inputs\":[{\"name\":1,\"datatype\":\"INT32\",\"shape\":[1],\"data\":[1]}]}", "'name' must be a string")]
    [InlineData("{\"inputs\":[{\"name\":\"A\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":5}]}", "input 'A': 'data' must be an array")]
    public void Read_MalformedHeader_NamesTheProblem(string json, string expected)
    {
        Assert.Contains(expected, Error(json), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_JsonDataErrors_ComeFromTheTensorReader()
    {
        Assert.Contains(
            "input 'A': element 1 value 256 is not a valid UINT8",
            Error("{\"inputs\":[" + Input("A", "UINT8", "[2]", "\"data\":[1,256]") + "]}"),
            StringComparison.Ordinal);
    }

    private static ModelConfig Config(TensorDataType type, int maxBatch, params long[] dims) => new()
    {
        Name = "m",
        MaxBatchSize = maxBatch,
        Inputs = [new ModelInput { Name = "INPUT0", DataType = type, Dims = [.. dims] }],
    };

    private static Result<InferenceRequest> Raw(byte[] bytes, ModelConfig config)
    {
        var body = Body(bytes);
        var result = InferRequestReader.ReadRawSingleInput("m", null, body, config);
        if (result.IsOk)
        {
            result.Value!.BodyOwner = body;
        }
        else
        {
            body.Dispose();
        }

        return result;
    }

    [Fact]
    public void ReadRawSingleInput_InfersBatchFromByteCount()
    {
        var result = Raw(BinaryBody.Floats(1, 2, 3, 4, 5, 6, 7, 8), Config(TensorDataType.FP32, 8, 4));
        Assert.True(result.IsOk, result.Error?.Message);
        using var request = result.Value!;
        Assert.Equal([2L, 4L], request.Inputs[0].Shape);
        Assert.Equal(BinaryBody.Floats(1, 2, 3, 4, 5, 6, 7, 8), request.Inputs[0].Data.ToArray());
    }

    [Fact]
    public void ReadRawSingleInput_InfersVariableDimWithoutBatching()
    {
        var result = Raw(BinaryBody.Int32s(1, 2, 3, 4, 5, 6), Config(TensorDataType.Int32, 0, 2, -1));
        Assert.True(result.IsOk, result.Error?.Message);
        using var request = result.Value!;
        Assert.Equal([2L, 3L], request.Inputs[0].Shape);
    }

    [Fact]
    public void ReadRawSingleInput_Bytes_CountsFramedElements()
    {
        var result = Raw(BinaryBody.Strings("", "a", "\u00e9\u00e9"), Config(TensorDataType.Bytes, 0, -1));
        Assert.True(result.IsOk, result.Error?.Message);
        using var request = result.Value!;
        Assert.Equal([3L], request.Inputs[0].Shape);
    }

    [Fact]
    public void ReadRawSingleInput_BrokenBytesFraming_IsAnError()
    {
        var result = Raw([5, 0, 0, 0, 1, 2], Config(TensorDataType.Bytes, 0, -1));
        Assert.False(result.IsOk);
        Assert.Contains("input 'INPUT0': BYTES element 0 declares 5 bytes but only 2 remain", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRawSingleInput_PartialElement_IsAnError()
    {
        var result = Raw(new byte[6], Config(TensorDataType.FP32, 8, 1));
        Assert.False(result.IsOk);
        Assert.Contains("6 bytes is not a whole number of FP32 elements (4 bytes each)", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRawSingleInput_ElementsDoNotFillShape_IsAnError()
    {
        var result = Raw(BinaryBody.Floats(1, 2, 3), Config(TensorDataType.FP32, 8, 2));
        Assert.False(result.IsOk);
        Assert.Contains("3 elements do not fill shape [-1,2]", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRawSingleInput_BatchAndOneVariableDim_IsOneBatchItem()
    {
        var result = Raw(BinaryBody.Floats(1, 2, 3), Config(TensorDataType.FP32, 8, -1));
        Assert.True(result.IsOk, result.Error?.Message);
        Assert.Equal([1L, 3L], result.Value!.Inputs[0].Shape);
    }

    [Fact]
    public void ReadRawSingleInput_TwoVariableDimsWithoutBatch_IsAnError()
    {
        var result = Raw(BinaryBody.Floats(1, 2), Config(TensorDataType.FP32, 0, -1, -1));
        Assert.False(result.IsOk);
        Assert.Contains("more than one variable dimension", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRawSingleInput_TwoInputs_IsAnError()
    {
        var config = Config(TensorDataType.FP32, 0, 1) with
        {
            Inputs = [new ModelInput { Name = "A", DataType = TensorDataType.FP32, Dims = [1] }, new ModelInput { Name = "B", DataType = TensorDataType.FP32, Dims = [1] }],
        };
        var result = Raw(BinaryBody.Floats(1), config);
        Assert.False(result.IsOk);
        Assert.Contains("model 'm' has 2 inputs", result.Error!.Message, StringComparison.Ordinal);
    }
}
