using Turbine.Core.Config;
using Turbine.Core.Tensors;

namespace Turbine.Core.Tests.Config;

public sealed class ModelConfigTextSyntaxTests
{
    private static ModelConfig Parse(string text) => ModelConfigText.Parse(text, "config.pbtxt");

    [Fact]
    public void Parse_CommentsAndBlankLines_Ignored()
    {
        var c = Parse("# leading\n\nname: \"a\" # trailing comment\n# max_batch_size: 9\nmax_batch_size: 2 #x\n");
        Assert.Equal("a", c.Name);
        Assert.Equal(2, c.MaxBatchSize);
    }

    [Theory]
    [InlineData("response_cache { enable: true }")]
    [InlineData("response_cache: { enable: true }")]
    [InlineData("response_cache < enable: true >")]
    [InlineData("response_cache: < enable: true >")]
    public void Parse_MessageForms_AllAccepted(string text) =>
        Assert.True(Parse(text).ResponseCache!.Enable);

    [Fact]
    public void Parse_RepeatedAsKeysAndAsLists_Concatenated()
    {
        var c = Parse("input { name: \"a\" dims: 1 dims: [2, 3] dims: [] dims: 4 } input [ { name: \"b\" }, { name: \"c\" } ]");
        Assert.Equal(["a", "b", "c"], c.Inputs.Select(i => i.Name));
        Assert.Equal([1L, 2, 3, 4], c.Inputs[0].Dims.AsEnumerable());
    }

    [Fact]
    public void Parse_ListOfMessagesWithColon_Accepted()
    {
        var c = Parse("output: [ { name: \"x\" }, < name: \"y\" > ]");
        Assert.Equal(["x", "y"], c.Outputs.Select(o => o.Name));
    }

    [Fact]
    public void Parse_Separators_CommaAndSemicolonOptional()
    {
        var c = Parse("name: \"n\", max_batch_size: 3; backend: \"b\" input { name: \"i\"; data_type: TYPE_BOOL, }");
        Assert.Equal(("n", 3, "b"), (c.Name, c.MaxBatchSize, c.Backend));
        Assert.Equal(TensorDataType.Bool, c.Inputs[0].DataType);
    }

    [Theory]
    [InlineData("TYPE_FP32", TensorDataType.FP32)]
    [InlineData("11", TensorDataType.FP32)]
    [InlineData("TYPE_STRING", TensorDataType.Bytes)]
    [InlineData("14", TensorDataType.BF16)]
    [InlineData("0x9", TensorDataType.Int64)]
    public void Parse_EnumByNameOrNumber_Resolved(string value, TensorDataType expected) =>
        Assert.Equal(expected, Parse($"input {{ data_type: {value} }}").Inputs[0].DataType);

    [Fact]
    public void Parse_OtherEnumsByNameAndNumber_Resolved()
    {
        var c = Parse("instance_group { kind: KIND_MODEL } instance_group { kind: 2 } input { format: FORMAT_NHWC } input { format: 2 }");
        Assert.Equal([ModelInstanceKind.Model, ModelInstanceKind.Cpu], c.InstanceGroups.Select(g => g.Kind));
        Assert.Equal(["FORMAT_NHWC", "FORMAT_NCHW"], c.Inputs.Select(i => i.Format));
    }

    [Fact]
    public void Parse_StringEscapes_Decoded()
    {
        var c = Parse(@"name: ""a\nb\tc\rd\\e\'f\""g\ah\bi\fj\vk\101\x42\u00e9\0""");
        Assert.Equal("a\nb\tc\rd\\e'f\"g\ah\bi\fj\vkAB\u00e9\0", c.Name);
    }

    [Fact]
    public void Parse_SingleQuotesAndAdjacentLiterals_Concatenated()
    {
        var c = Parse("name: 'one' \"two\"\n 'three \"q\"'");
        Assert.Equal("onetwothree \"q\"", c.Name);
    }

    [Theory]
    [InlineData("42", 42)]
    [InlineData("-7", -7)]
    [InlineData("0x1F", 31)]
    [InlineData("0X10", 16)]
    [InlineData("010", 8)]
    [InlineData("0", 0)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("-2147483648", int.MinValue)]
    public void Parse_IntegerForms_Parsed(string text, int expected) =>
        Assert.Equal(expected, Parse($"max_batch_size: {text}").MaxBatchSize);

    [Fact]
    public void Parse_Int64Limits_Parsed()
    {
        var c = Parse("input { dims: [9223372036854775807, -9223372036854775808, -1] }");
        Assert.Equal([long.MaxValue, long.MinValue, -1L], c.Inputs[0].Dims.AsEnumerable());
    }

    [Theory]
    [InlineData("1.5", 1.5f)]
    [InlineData("1e-3", 0.001f)]
    [InlineData(".5", 0.5f)]
    [InlineData("2.5f", 2.5f)]
    [InlineData("3F", 3f)]
    [InlineData("-0.25", -0.25f)]
    [InlineData("7", 7f)]
    [InlineData("1E2", 100f)]
    [InlineData("inf", float.PositiveInfinity)]
    [InlineData("-inf", float.NegativeInfinity)]
    [InlineData("Infinity", float.PositiveInfinity)]
    [InlineData("nan", float.NaN)]
    public void Parse_FloatForms_Parsed(string text, float expected)
    {
        var c = Parse($"sequence_batching {{ direct {{ minimum_slot_utilization: {text} }} }}");
        Assert.Equal(expected, c.SequenceBatching!.Direct!.MinimumSlotUtilization);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("t", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("f", false)]
    [InlineData("0", false)]
    public void Parse_BoolForms_Parsed(string text, bool expected) =>
        Assert.Equal(expected, Parse($"response_cache {{ enable: {text} }}").ResponseCache!.Enable);

    [Fact]
    public void Parse_EmptyText_AllDefaults()
    {
        var c = Parse("  # nothing\n");
        Assert.Equal("", c.Name);
        Assert.Equal(ModelVersionPolicyKind.Latest, c.VersionPolicy.Kind);
        Assert.Equal(1, c.VersionPolicy.NumVersions);
        Assert.Empty(c.Inputs);
        Assert.Null(c.DynamicBatching);
        Assert.Empty(c.Parameters);
    }

    [Fact]
    public void Parse_InstanceGroupWithoutCount_CountIsOne()
    {
        var c = Parse("instance_group { kind: KIND_CPU }");
        Assert.Equal(1, c.InstanceGroups[0].Count);
        Assert.Empty(c.InstanceGroups[0].Gpus);
    }

    [Fact]
    public void Parse_VersionPolicyAll_KindAll() =>
        Assert.Equal(ModelVersionPolicyKind.All, Parse("version_policy: { all {} }").VersionPolicy.Kind);
}
