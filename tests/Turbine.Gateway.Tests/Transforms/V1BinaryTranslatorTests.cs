using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Turbine.Client;
using Turbine.Gateway.Transforms;

namespace Turbine.Gateway.Tests.Transforms;

/// <summary>KServe v1 <c>{"b64": ...}</c> values on their own: binary tensor data in, base64 outputs back as b64 objects.</summary>
public sealed class V1BinaryTranslatorTests
{
    private static ModelMetadataResult Model(params TensorMetadataResult[] inputs) =>
        new("m", ["1"], "onnxruntime_onnx", inputs, [new TensorMetadataResult("out", "BYTES", [-1])]);

    private static (JsonElement Header, byte[] Binary) Translate(string v1, ModelMetadataResult model, long max = long.MaxValue)
    {
        using var document = JsonDocument.Parse(v1);
        var (body, headerLength, _) = V1RequestTranslator.Translate(document.RootElement, model, max).Value;
        Assert.NotNull(headerLength);
        using var header = JsonDocument.Parse(body.AsMemory(0, headerLength!.Value));
        return (header.RootElement.Clone(), body[headerLength.Value..]);
    }

    private static byte[][] Elements(byte[] binary)
    {
        var list = new List<byte[]>();
        for (var offset = 0; offset < binary.Length;)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(binary.AsSpan(offset));
            list.Add(binary.AsSpan(offset + 4, length).ToArray());
            offset += 4 + length;
        }

        return [.. list];
    }

    [Fact]
    public void Request_B64AndTextInOneInput_BinaryDataAfterTheHeader()
    {
        var raw = new byte[] { 0xFF, 0x00, 0x80, 0x41 };
        var (header, binary) = Translate(
            "{\"instances\": [[{\"b64\": \"" + Convert.ToBase64String(raw) + "\"}, \"héllo\"], [\"x\", {\"b64\": \"\"}]]}",
            Model(new TensorMetadataResult("text", "BYTES", [-1, -1])));

        var input = Assert.Single(header.GetProperty("inputs").EnumerateArray());
        Assert.Equal([2L, 2], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.False(input.TryGetProperty("data", out _));
        Assert.Equal(binary.Length, input.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        var elements = Elements(binary);
        Assert.Equal(4, elements.Length);
        Assert.Equal(raw, elements[0]);
        Assert.Equal(Encoding.UTF8.GetBytes("héllo"), elements[1]);
        Assert.Equal("x"u8.ToArray(), elements[2]);
        Assert.Empty(elements[3]);
    }

    [Fact]
    public void Request_SingleInputB64Instances_ValuesNotInstancesByName()
    {
        var (header, binary) = Translate("{\"instances\": [{\"b64\": \"AAE=\"}, {\"b64\": \"Ag==\"}]}", Model(new TensorMetadataResult("b64", "BYTES", [-1])));

        Assert.Equal([2L], header.GetProperty("inputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal([[0, 1], [2]], Elements(binary));
    }

    [Fact]
    public void Request_TextOnly_StaysJson()
    {
        using var document = JsonDocument.Parse("{\"instances\": [\"a\"]}");
        var (_, headerLength, _) = V1RequestTranslator.Translate(document.RootElement, Model(new TensorMetadataResult("text", "BYTES", [-1]))).Value;

        Assert.Null(headerLength);
    }

    [Theory]
    [InlineData("{\"instances\": [[{\"b64\": \"AA==\"}, 1, 2, 3]]}", "FP32", 400, "input 'x': {\"b64\": ...} values are for BYTES inputs, but the model's input is FP32")]
    [InlineData("{\"instances\": [{\"b64\": \"not base64!\"}]}", "BYTES", 400, "input 'x': instance 0 has a \"b64\" value that is not valid base64")]
    [InlineData("{\"instances\": [{\"b64\": 12}]}", "BYTES", 400, "input 'x': instance 0 has {\"b64\": a number}; expected a base64 string")]
    [InlineData("{\"instances\": [[{\"b64\": \"AA==\"}, 7]]}", "BYTES", 400, "input 'x': instance 0 has a number where a string or {\"b64\": ...} was expected")]
    [InlineData("{\"instances\": [{\"b64\": \"AA==\"}, [\"a\"]]}", "BYTES", 400, "input 'x': instance 1 has shape [1] but instance 0 has []; all instances must have the same shape")]
    public void Request_BadB64_V1Error(string v1, string datatype, int status, string message)
    {
        using var document = JsonDocument.Parse(v1);

        var error = Assert.IsType<V1Error>(V1RequestTranslator.Translate(document.RootElement, Model(new TensorMetadataResult("x", datatype, [-1, -1]))).Error);

        Assert.Equal(status, error.Status);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Request_DecodedOverTheLimit_413BeforeDecoding()
    {
        var big = Convert.ToBase64String(new byte[3000]);
        using var document = JsonDocument.Parse("{\"instances\": [{\"b64\": \"" + big + "\"}]}");

        var error = Assert.IsType<V1Error>(V1RequestTranslator.Translate(document.RootElement, Model(new TensorMetadataResult("x", "BYTES", [-1])), maxBinaryBytes: 2048).Error);

        Assert.Equal(413, error.Status);
        Assert.Equal("input 'x': the decoded values are over the 2048-byte limit of a KServe v1 request", error.Message);
    }

    [Fact]
    public void Response_Base64Output_B64ObjectsOtherOutputsPlain()
    {
        using var document = JsonDocument.Parse("""
            {"outputs": [
              {"name": "raw", "datatype": "BYTES", "shape": [2], "parameters": {"content_type": "base64"}, "data": ["/wA=", "aGk="]},
              {"name": "text", "datatype": "BYTES", "shape": [2], "data": ["a", "b"]}
            ]}
            """);

        var v1 = Encoding.UTF8.GetString(V1ResponseTranslator.Translate(document.RootElement, 2).Value!);

        Assert.Equal("{\"predictions\":[{\"raw\":{\"b64\":\"/wA=\"},\"text\":\"a\"},{\"raw\":{\"b64\":\"aGk=\"},\"text\":\"b\"}]}", v1);
    }
}
