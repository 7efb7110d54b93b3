using System.Text.Json;
using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.Config;

public sealed class ModelConfigJsonTests
{
    private static ModelConfig Parse(string json) => ModelConfigJson.Parse(json, "config.json");

    [Fact]
    public void Parse_SnakeCaseNames_Read()
    {
        var c = Parse("""
            {"name":"m","max_batch_size":"4","input":[{"name":"IN","data_type":"TYPE_FP32","dims":["-1",3]}],
             "dynamic_batching":{"max_queue_delay_microseconds":"100","priority_levels":2,"default_priority_level":1,
               "priority_queue_policy":{"2":{"timeout_action":"DELAY","max_queue_size":5}}},
             "parameters":{"k":{"string_value":"v"}},
             "instance_group":[{"kind":"KIND_CPU","count":2}]}
            """);
        Assert.Equal(("m", 4), (c.Name, c.MaxBatchSize));
        Assert.Equal(TensorDataType.FP32, c.Inputs[0].DataType);
        Assert.Equal([-1L, 3], c.Inputs[0].Dims.AsEnumerable());
        Assert.Equal(100L, c.DynamicBatching!.MaxQueueDelayMicroseconds);
        Assert.Equal((TimeoutAction.Delay, 5), (c.DynamicBatching.PriorityQueuePolicy[2].TimeoutAction, c.DynamicBatching.PriorityQueuePolicy[2].MaxQueueSize));
        Assert.Equal("v", c.Parameters["k"]);
        Assert.Equal((ModelInstanceKind.Cpu, 2), (c.InstanceGroups[0].Kind, c.InstanceGroups[0].Count));
    }

    [Fact]
    public void Parse_LowerCamelCaseNames_Read()
    {
        var c = Parse("""
            {"name":"m","maxBatchSize":8,"defaultModelFilename":"model.onnx",
             "input":[{"name":"IN","dataType":11,"dims":[2],"allowRaggedBatch":true,"reshape":{"shape":[1,2]}}],
             "versionPolicy":{"latest":{"numVersions":3}},
             "sequenceBatching":{"maxSequenceIdleMicroseconds":7,"controlInput":[{"name":"S","control":[{"kind":"CONTROL_SEQUENCE_START","fp32FalseTrue":[0,"1"]}]}]},
             "modelWarmup":[{"name":"w","batchSize":1,"inputs":{"IN":{"dataType":"TYPE_FP32","dims":[2],"randomData":true}}}],
             "modelTransactionPolicy":{"decoupled":true},"responseCache":{"enable":true}}
            """);
        Assert.Equal((8, "model.onnx", 3), (c.MaxBatchSize, c.DefaultModelFilename, c.VersionPolicy.NumVersions));
        Assert.Equal(TensorDataType.FP32, c.Inputs[0].DataType);
        Assert.True(c.Inputs[0].AllowRaggedBatch);
        Assert.Equal([1L, 2], c.Inputs[0].Reshape!.Value.AsEnumerable());
        Assert.Equal(7L, c.SequenceBatching!.MaxSequenceIdleMicroseconds);
        Assert.Equal([0f, 1f], c.SequenceBatching.ControlInputs[0].Controls[0].Fp32FalseTrue.AsEnumerable());
        Assert.True(c.ModelWarmup[0].Inputs["IN"].RandomData);
        Assert.True(c.TransactionPolicy!.Decoupled);
        Assert.True(c.ResponseCache!.Enable);
    }

    [Fact]
    public void Parse_NullValue_TreatedAsUnset() =>
        Assert.Null(Parse("""{"name":"m","dynamic_batching":null}""").DynamicBatching);

    [Fact]
    public void ToJson_SimpleConfig_TritonStyle()
    {
        var c = new ModelConfig
        {
            Name = "simple",
            Platform = "onnxruntime_onnx",
            Backend = "onnxruntime",
            MaxBatchSize = 8,
            Inputs = [new ModelInput { Name = "INPUT0", DataType = TensorDataType.Int32, Dims = [16] }],
            Outputs = [new ModelOutput { Name = "OUTPUT0", DataType = TensorDataType.Int32, Dims = [16] }],
            InstanceGroups = [new ModelInstanceGroup { Name = "simple_0", Kind = ModelInstanceKind.Cpu }],
            DefaultModelFilename = "model.onnx",
        };
        Assert.Equal(
            """{"name":"simple","platform":"onnxruntime_onnx","backend":"onnxruntime","version_policy":{"latest":{"num_versions":1}},"max_batch_size":8,"input":[{"name":"INPUT0","data_type":"TYPE_INT32","format":"FORMAT_NONE","dims":[16],"is_shape_tensor":false,"allow_ragged_batch":false,"optional":false}],"output":[{"name":"OUTPUT0","data_type":"TYPE_INT32","dims":[16],"label_filename":"","is_shape_tensor":false}],"instance_group":[{"name":"simple_0","kind":"KIND_CPU","count":1,"gpus":[]}],"default_model_filename":"model.onnx","parameters":{},"model_warmup":[]}""",
            ModelConfigJson.ToJson(c));
    }

    [Theory]
    [InlineData(ConfigSamples.Simple)]
    [InlineData(ConfigSamples.Rich)]
    [InlineData(ConfigSamples.Sequence)]
    public void ToJson_ParseRoundTrip_SameConfig(string pbtxt)
    {
        var original = ModelConfigText.Parse(pbtxt, "config.pbtxt");
        var json = ModelConfigJson.ToJson(original);
        var back = ModelConfigJson.Parse(json, "config.json");
        Assert.Equal(json, ModelConfigJson.ToJson(back));
        Assert.Equal(original.Inputs.Select(i => (i.Name, i.DataType, string.Join(",", i.Dims), i.Reshape?.Length)), back.Inputs.Select(i => (i.Name, i.DataType, string.Join(",", i.Dims), i.Reshape?.Length)));
        Assert.Equal(original.DynamicBatching?.PriorityQueuePolicy.Count, back.DynamicBatching?.PriorityQueuePolicy.Count);
        Assert.Equal(original.Parameters.OrderBy(p => p.Key), back.Parameters.OrderBy(p => p.Key));
        Assert.Equal(original.SequenceBatching?.States.Length, back.SequenceBatching?.States.Length);
    }

    [Fact]
    public void ToJson_RichConfig_ContainsOptionalSections()
    {
        using var doc = JsonDocument.Parse(ModelConfigJson.ToJson(ModelConfigText.Parse(ConfigSamples.Rich, "r")));
        var root = doc.RootElement;
        Assert.Equal(9_000_000_000, root.GetProperty("dynamic_batching").GetProperty("priority_queue_policy").GetProperty("2").GetProperty("default_timeout_microseconds").GetInt64());
        Assert.Equal("PRIORITY_MAX", root.GetProperty("optimization").GetProperty("priority").GetString());
        Assert.Equal("FP16", root.GetProperty("optimization").GetProperty("execution_accelerators").GetProperty("gpu_execution_accelerator")[0].GetProperty("parameters").GetProperty("precision_mode").GetString());
        Assert.Equal([1L, 3], root.GetProperty("version_policy").GetProperty("specific").GetProperty("versions").EnumerateArray().Select(e => e.GetInt64()));
        Assert.True(root.GetProperty("response_cache").GetProperty("enable").GetBoolean());
        Assert.False(root.TryGetProperty("sequence_batching", out _));
    }

    [Fact]
    public void ToJson_NonFiniteFloat_WrittenAsProtoJsonString()
    {
        var c = new ModelConfig { SequenceBatching = new ModelSequenceBatching { Direct = new SequenceStrategyDirect { MinimumSlotUtilization = float.PositiveInfinity } } };
        var back = ModelConfigJson.Parse(ModelConfigJson.ToJson(c), "x");
        Assert.Equal(float.PositiveInfinity, back.SequenceBatching!.Direct!.MinimumSlotUtilization);
    }

    private static ModelConfigException Fail(string json) =>
        Assert.Throws<ModelConfigException>(() => ModelConfigJson.Parse(json, "m/config.json"));

    [Fact]
    public void Parse_UnknownJsonField_PositionAndName()
    {
        var ex = Fail("{\n  \"name\": \"m\",\n  \"input\": [{\"name\": \"a\", \"foo\": 1}]\n}");
        Assert.Equal((3, 27), (ex.Line, ex.Column));
        Assert.Contains("unknown field 'foo' in ModelInput", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnsupportedJsonFieldCamelCase_Rejected()
    {
        var ex = Fail("{\"batchInput\": []}");
        Assert.Equal((1, 2), (ex.Line, ex.Column));
        Assert.Contains("unsupported field 'batchInput' in ModelConfig", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonTypeMismatch_ExpectedAndActual()
    {
        var ex = Fail("{\"name\": \"m\",\n \"max_batch_size\": \"abc\"}");
        Assert.Equal((2, 20), (ex.Line, ex.Column));
        Assert.Contains("field 'max_batch_size' in ModelConfig expects an integer, got string \"abc\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonDuplicateKey_GivenTwice() =>
        Assert.Contains("given twice", Fail("{\"max_batch_size\": 1, \"maxBatchSize\": 2}").Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_JsonBadEnum_Rejected() =>
        Assert.Contains("unknown DataType value 'FP32'", Fail("{\"input\":[{\"data_type\":\"FP32\"}]}").Message, StringComparison.Ordinal);

    [Fact]
    public void Parse_MalformedJson_ReportsPosition()
    {
        var ex = Fail("{\n  \"name\": \"m\",,\n}");
        Assert.Equal(2, ex.Line);
        Assert.Contains("invalid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonArrayRoot_Rejected() =>
        Assert.Contains("expected a JSON object", Fail("[1]").Message, StringComparison.Ordinal);
}
