using System.Text.Json;
using Turbine.Client;
using Turbine.Gateway.Transforms;

namespace Turbine.Gateway.Tests.Transforms;

/// <summary>The KServe v1 ⇄ v2 translation on its own: shapes, datatypes, splitting of outputs.</summary>
public sealed class V1TranslatorTests
{
    private static ModelMetadataResult Model(params TensorMetadataResult[] inputs) =>
        new("m", ["1"], "onnxruntime_onnx", inputs, [new TensorMetadataResult("out", "FP32", [-1, 2])]);

    private static JsonElement V2Request(string v1, ModelMetadataResult model, out int instances)
    {
        using var document = JsonDocument.Parse(v1);
        (var body, _, instances) = V1RequestTranslator.Translate(document.RootElement, model).Value;
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public void Request_MatrixRows_BatchInFrontOfRowShape()
    {
        var v2 = V2Request("{\"instances\": [[[1,2],[3,4],[5,6]], [[7,8],[9,10],[11,12]]]}", Model(new TensorMetadataResult("x", "FP32", [-1, 3, 2])), out var instances);

        var input = Assert.Single(v2.GetProperty("inputs").EnumerateArray());
        Assert.Equal(2, instances);
        Assert.Equal("x", input.GetProperty("name").GetString());
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal([2L, 3, 2], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(Enumerable.Range(1, 12), input.GetProperty("data").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Fact]
    public void Request_ScalarInstances_ShapeIsBatchOnly()
    {
        var v2 = V2Request("{\"instances\": [\"a\", \"b\", \"c\"]}", Model(new TensorMetadataResult("text", "BYTES", [-1])), out _);

        var input = v2.GetProperty("inputs")[0];
        Assert.Equal([3L], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(["a", "b", "c"], input.GetProperty("data").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public void Request_ModelWithoutBatchDim_SingleInstanceIsWholeTensor()
    {
        var v2 = V2Request("{\"instances\": [[1,2,3,4]]}", Model(new TensorMetadataResult("x", "INT32", [4])), out var instances);

        Assert.Equal(1, instances);
        Assert.Equal([4L], v2.GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
    }

    [Fact]
    public void Request_NamedInputs_OneTensorPerInputInModelOrder()
    {
        var v2 = V2Request(
            "{\"instances\": [{\"b\": 1.5, \"a\": [1,2]}, {\"a\": [3,4], \"b\": 2.5}]}",
            Model(new TensorMetadataResult("a", "INT64", [-1, 2]), new TensorMetadataResult("b", "FP64", [-1])),
            out _);

        var inputs = v2.GetProperty("inputs").EnumerateArray().ToArray();
        Assert.Equal(["a", "b"], inputs.Select(i => i.GetProperty("name").GetString()));
        Assert.Equal([1, 2, 3, 4], inputs[0].GetProperty("data").EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal([2L, 2], inputs[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal([1.5, 2.5], inputs[1].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([2L], inputs[1].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
    }

    [Fact]
    public void Request_NullValue_400()
    {
        using var document = JsonDocument.Parse("{\"instances\": [[1, null]]}");

        var error = Assert.IsType<V1Error>(V1RequestTranslator.Translate(document.RootElement, Model(new TensorMetadataResult("x", "FP32", [-1, 2]))).Error);

        Assert.Equal(400, error.Status);
        Assert.Equal("input 'x': instance 0 has null where a value was expected", error.Message);
    }

    private static JsonElement Predictions(string v2, int instances)
    {
        using var document = JsonDocument.Parse(v2);
        var bytes = V1ResponseTranslator.Translate(document.RootElement, instances).Value!;
        return JsonDocument.Parse(bytes).RootElement.GetProperty("predictions").Clone();
    }

    [Fact]
    public void Response_OneOutput_RowPerInstance_Nested()
    {
        var predictions = Predictions(
            "{\"outputs\":[{\"name\":\"o\",\"shape\":[2,2,2],\"datatype\":\"INT32\",\"data\":[1,2,3,4,5,6,7,8]}]}", 2);

        Assert.Equal("[[[1,2],[3,4]],[[5,6],[7,8]]]", predictions.GetRawText());
    }

    [Fact]
    public void Response_ScalarPerInstance_FlatList()
    {
        var predictions = Predictions("{\"outputs\":[{\"name\":\"label\",\"shape\":[3],\"datatype\":\"BYTES\",\"data\":[\"a\",\"b\",\"c\"]}]}", 3);

        Assert.Equal("[\"a\",\"b\",\"c\"]", predictions.GetRawText());
    }

    [Fact]
    public void Response_SeveralOutputs_ObjectPerInstance()
    {
        var predictions = Predictions(
            "{\"outputs\":[{\"name\":\"p\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[0.1,0.9,0.8,0.2]},{\"name\":\"c\",\"shape\":[2],\"datatype\":\"INT64\",\"data\":[1,0]}]}", 2);

        Assert.Equal("[{\"p\":[0.1,0.9],\"c\":1},{\"p\":[0.8,0.2],\"c\":0}]", predictions.GetRawText());
    }

    [Fact]
    public void Response_BatchMismatch_502()
    {
        using var document = JsonDocument.Parse("{\"outputs\":[{\"name\":\"o\",\"shape\":[3,2],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6]}]}");

        var error = Assert.IsType<V1Error>(V1ResponseTranslator.Translate(document.RootElement, 2).Error);

        Assert.Equal(502, error.Status);
        Assert.Equal("cannot split output 'o' of shape [3,2] into 2 predictions", error.Message);
    }

    [Fact]
    public void Response_Unicode_KeptReadable()
    {
        var predictions = Predictions("{\"outputs\":[{\"name\":\"o\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"héllo 'x'\"]}]}", 1);

        Assert.Equal("[\"héllo 'x'\"]", predictions.GetRawText());
    }

    [Theory]
    [InlineData("/v1/models/iris:predict", true, "iris", "Predict")]
    [InlineData("/v1/models/iris", true, "iris", "Ready")]
    [InlineData("/v1/models/iris:explain", true, "iris", "Explain")]
    [InlineData("/v1/models", true, "", "List")]
    [InlineData("/v1/models/", true, "", "List")]
    [InlineData("/v1/models/iris:other", false, "", "")]
    [InlineData("/v1/models/:predict", false, "", "")]
    [InlineData("/v1/models/a/b", false, "", "")]
    [InlineData("/v2/models/iris", false, "", "")]
    public void TryParseV1_Paths(string path, bool expected, string model, string call)
    {
        var ok = TransformMiddleware.TryParseV1(path, out var parsedModel, out var parsedCall);

        Assert.Equal(expected, ok);
        if (ok)
        {
            Assert.Equal(model, parsedModel);
            Assert.Equal(call, parsedCall.ToString());
        }
    }
}
