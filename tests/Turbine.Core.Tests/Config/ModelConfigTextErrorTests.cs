using Turbine.Core.Config;

namespace Turbine.Core.Tests.Config;

public sealed class ModelConfigTextErrorTests
{
    private static ModelConfigException Fail(string text) =>
        Assert.Throws<ModelConfigException>(() => ModelConfigText.Parse(text, "m/config.pbtxt"));

    private static void AssertAt(ModelConfigException ex, int line, int column, string contains)
    {
        Assert.Equal((line, column), (ex.Line, ex.Column));
        Assert.Equal("m/config.pbtxt", ex.SourcePath);
        Assert.StartsWith($"m/config.pbtxt:{line}:{column}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(contains, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnterminatedString_PointsAtOpeningQuote() =>
        AssertAt(Fail("name: \"ok\"\nplatform: \"abc\n"), 2, 11, "unterminated string literal");

    [Fact]
    public void Parse_UnknownField_NamesFieldAndMessage() =>
        AssertAt(Fail("name: \"x\"\ninput {\n  name: \"a\"\n  foo: 1\n}"), 4, 3, "unknown field 'foo' in ModelInput");

    [Fact]
    public void Parse_UnsupportedField_NamesField() =>
        AssertAt(Fail("name: \"x\"\n  batch_input { }"), 2, 3, "unsupported field 'batch_input' in ModelConfig");

    [Fact]
    public void Parse_EnsembleStepModelNamespace_RejectedAsUnsupported() =>
        AssertAt(Fail("ensemble_scheduling {\n  step { model_name: \"a\" model_namespace: \"n\" }\n}"), 2, 26, "unsupported field 'model_namespace' in ModelEnsembling.Step");

    [Fact]
    public void Parse_UnsupportedNestedField_NamesMessage() =>
        AssertAt(Fail("optimization { cuda { graphs: true } }"), 1, 16, "unsupported field 'cuda' in ModelOptimizationPolicy");

    [Fact]
    public void Parse_StringForInteger_TypeMismatchWithExpectedAndActual() =>
        AssertAt(Fail("name: \"x\"\nmax_batch_size: \"abc\""), 2, 17, "field 'max_batch_size' in ModelConfig expects an integer, got string \"abc\"");

    [Fact]
    public void Parse_MessageForScalar_TypeMismatch() =>
        AssertAt(Fail("max_batch_size { }"), 1, 16, "field 'max_batch_size' in ModelConfig expects an integer, got a message");

    [Fact]
    public void Parse_ScalarForMessage_TypeMismatch() =>
        AssertAt(Fail("dynamic_batching: 5"), 1, 19, "field 'dynamic_batching' in ModelConfig expects a ModelDynamicBatching message, got integer 5");

    [Fact]
    public void Parse_FloatForInteger_TypeMismatch() =>
        AssertAt(Fail("max_batch_size: 1.5"), 1, 17, "expects an integer, got number 1.5");

    [Fact]
    public void Parse_IdentifierForString_TypeMismatch() =>
        AssertAt(Fail("name: simple"), 1, 7, "field 'name' in ModelConfig expects a string, got identifier simple");

    [Fact]
    public void Parse_OutOfRangeInt32_Rejected() =>
        AssertAt(Fail("max_batch_size: 2147483648"), 1, 17, "field 'max_batch_size' in ModelConfig is out of range");

    [Fact]
    public void Parse_NegativeForUInt64Key_Rejected() =>
        AssertAt(Fail("dynamic_batching { priority_queue_policy { key: -1 value { } } }"), 1, 49, "field 'key'");

    [Fact]
    public void Parse_DuplicateScalar_GivenTwice() =>
        AssertAt(Fail("max_batch_size: 1\nmax_batch_size: 2"), 2, 1, "field 'max_batch_size' given twice in ModelConfig (first at line 1, column 1)");

    [Fact]
    public void Parse_DuplicateMessage_GivenTwice() =>
        AssertAt(Fail("response_cache {}\n response_cache {}"), 2, 2, "field 'response_cache' given twice");

    [Fact]
    public void Parse_ListForNonRepeated_Rejected() =>
        AssertAt(Fail("max_batch_size: [1, 2]"), 1, 1, "field 'max_batch_size' in ModelConfig is not repeated");

    [Fact]
    public void Parse_BadEnumName_ListsExpected() =>
        AssertAt(Fail("input {\n  data_type: TYPE_FLOAT32\n}"), 2, 14, "field 'data_type' in ModelInput: unknown DataType value 'TYPE_FLOAT32'; expected a DataType name (TYPE_INVALID, TYPE_BOOL");

    [Fact]
    public void Parse_EnumNumberOutOfRange_Rejected() =>
        AssertAt(Fail("instance_group { kind: 7 }"), 1, 24, "7 is not a Kind value");

    [Fact]
    public void Parse_StringForEnum_Rejected() =>
        AssertAt(Fail("instance_group { kind: \"KIND_CPU\" }"), 1, 24, "expects a Kind name");

    [Fact]
    public void Parse_UnbalancedBrace_ReportsEndOfInputAndOpener() =>
        AssertAt(Fail("name: \"x\"\ninput {\n  name: \"a\"\n"), 4, 1, "expected '}' to close '{' opened at line 2, column 7, got end of input");

    [Fact]
    public void Parse_ExtraClosingBrace_Rejected() =>
        AssertAt(Fail("name: \"x\" }"), 1, 11, "expected a field name, got '}'");

    [Fact]
    public void Parse_MismatchedCloser_Rejected() =>
        AssertAt(Fail("response_cache < enable: true }"), 1, 31, "expected a field name or '>', got '}'");

    [Fact]
    public void Parse_GarbageCharacter_Rejected() =>
        AssertAt(Fail("name: \"x\"\nmax_batch_size: 8 @"), 2, 19, "unexpected character '@'");

    [Fact]
    public void Parse_GarbageToken_Rejected() =>
        AssertAt(Fail("name: \"x\" 42"), 1, 11, "expected a field name, got integer 42");

    [Fact]
    public void Parse_MissingColonBeforeScalar_Rejected() =>
        AssertAt(Fail("max_batch_size 8"), 1, 16, "expected ':' or '{' after field name 'max_batch_size'");

    [Fact]
    public void Parse_InvalidEscape_PointsAtEscape() =>
        AssertAt(Fail("name: \"ab\\qc\""), 1, 10, "invalid escape sequence '\\q'");

    [Fact]
    public void Parse_InvalidNumber_Rejected() =>
        AssertAt(Fail("max_batch_size: 12abc"), 1, 17, "invalid number");

    [Fact]
    public void Parse_OneofTwice_Rejected() =>
        AssertAt(Fail("version_policy { latest { } all { } }"), 1, 29, "fields 'latest' and 'all' in ModelVersionPolicy are alternatives");

    [Fact]
    public void Parse_DynamicAndSequenceBatching_Rejected() =>
        AssertAt(Fail("dynamic_batching { }\nsequence_batching { }"), 2, 1, "fields 'dynamic_batching' and 'sequence_batching'");

    [Fact]
    public void Parse_DuplicateMapKey_Rejected() =>
        AssertAt(Fail("parameters { key: \"a\" value { string_value: \"1\" } }\nparameters { key: \"a\" value { string_value: \"2\" } }"), 2, 14, "key 'a' given twice in map field 'parameters'");

    [Fact]
    public void Parse_UnknownFieldInMapValue_NamesMessage() =>
        AssertAt(Fail("parameters { key: \"a\" value { int_value: 1 } }"), 1, 31, "unknown field 'int_value' in ModelParameter");

    [Fact]
    public void Parse_UnknownFieldInDeepMessage_NamesMessage() =>
        AssertAt(Fail("sequence_batching { state { input_name: \"a\" use_growable_memory: true } }"), 1, 45, "unsupported field 'use_growable_memory' in ModelSequenceBatching.State");
}
