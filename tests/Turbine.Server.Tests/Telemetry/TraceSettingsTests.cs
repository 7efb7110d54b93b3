using Turbine.Core;
using Turbine.Server.Telemetry;

namespace Turbine.Server.Tests.Telemetry;

/// <summary>Triton's trace settings as Turbine's sampling decision: level, 1 in N, count, per-model override and clear.</summary>
public sealed class TraceSettingsTests
{
    private static IReadOnlyList<string>? V(params string[]? values) => values;

    private static Dictionary<string, IReadOnlyList<string>> Get(TraceSettings s, string? model = null) =>
        s.Get(model).ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void Get_Defaults_TritonNamesWithLevelFromExporter()
    {
        var on = Get(new TraceSettings(enabled: true));
        Assert.Equal(["TIMESTAMPS"], on["trace_level"]);
        Assert.Equal(["1"], on["trace_rate"]);
        Assert.Equal(["-1"], on["trace_count"]);
        Assert.Equal(["0"], on["log_frequency"]);
        Assert.Equal([""], on["trace_file"]);
        Assert.Equal(["opentelemetry"], on["trace_mode"]);
        Assert.Equal(["OFF"], Get(new TraceSettings(enabled: false))["trace_level"]);
    }

    [Fact]
    public void Decide_LevelOff_NothingRecordedEvenWhenCallerSampled()
    {
        var s = new TraceSettings(enabled: true);
        Assert.Null(s.Update(null, [("trace_level", V("OFF"))]));
        Assert.False(s.Decide("simple", null));
        Assert.False(s.Decide("simple", true));
    }

    [Fact]
    public void Decide_RateThree_OneInThreeNewTraces()
    {
        var s = new TraceSettings(enabled: true);
        Assert.Null(s.Update(null, [("trace_rate", V("3"))]));
        var decisions = Enumerable.Range(0, 9).Select(_ => s.Decide("simple", null)).ToList();
        Assert.Equal([true, false, false, true, false, false, true, false, false], decisions);
    }

    [Fact]
    public void Decide_CountTwo_StopsAfterTwoAndReportsRemaining()
    {
        var s = new TraceSettings(enabled: true);
        Assert.Null(s.Update(null, [("trace_count", V("2"))]));
        Assert.True(s.Decide("simple", null));
        Assert.Equal(["1"], Get(s)["trace_count"]);
        Assert.True(s.Decide("iris", true));
        Assert.False(s.Decide("simple", null));
        Assert.Equal(["0"], Get(s)["trace_count"]);
    }

    [Fact]
    public void Update_ModelOverrideThenClear_FallsBackToGlobal()
    {
        var s = new TraceSettings(enabled: true);
        Assert.Null(s.Update("simple", [("trace_level", V("OFF")), ("trace_rate", V("5"))]));
        Assert.False(s.Decide("simple", null));
        Assert.True(s.Decide("iris", null));
        Assert.Equal(["OFF"], Get(s, "simple")["trace_level"]);
        Assert.Equal(["5"], Get(s, "simple")["trace_rate"]);
        Assert.Equal(["1"], Get(s)["trace_rate"]);

        Assert.Null(s.Update("simple", [("trace_level", null)]));
        Assert.Equal(["TIMESTAMPS"], Get(s, "simple")["trace_level"]);
        Assert.Equal(["5"], Get(s, "simple")["trace_rate"]);
        Assert.Null(s.Update("simple", [("trace_rate", V())]));
        Assert.Equal(["1"], Get(s, "simple")["trace_rate"]);

        // Cleared: the model follows later global changes again.
        Assert.Null(s.Update(null, [("trace_level", V("TIMESTAMPS", "TENSORS"))]));
        Assert.Equal(["TIMESTAMPS", "TENSORS"], Get(s, "simple")["trace_level"]);
    }

    [Fact]
    public void Update_ModelCount_OwnCounterGlobalUntouched()
    {
        var s = new TraceSettings(enabled: true);
        Assert.Null(s.Update("simple", [("trace_count", V("1"))]));
        Assert.True(s.Decide("simple", null));
        Assert.False(s.Decide("simple", null));
        Assert.True(s.Decide("iris", null));
        Assert.Equal(["-1"], Get(s)["trace_count"]);
    }

    [Theory]
    [InlineData("trace_rate", "0", "Unable to parse 'trace_rate'")]
    [InlineData("trace_rate", "abc", "got: abc")]
    [InlineData("trace_count", "-2", "Unable to parse 'trace_count'")]
    [InlineData("log_frequency", "-1", "Unable to parse 'log_frequency'")]
    [InlineData("trace_level", "LOUD", "unknown level 'LOUD'")]
    [InlineData("trace_mode", "triton", "'trace_mode' cannot be changed")]
    [InlineData("trace_colour", "red", "unknown trace setting 'trace_colour'")]
    public void Update_BadValue_InvalidArgumentNamingSettingAndNothingChanges(string name, string value, string message)
    {
        var s = new TraceSettings(enabled: true);
        var error = s.Update(null, [("trace_rate", V("7")), (name, V(value))]);
        Assert.NotNull(error);
        Assert.Equal(StatusCode.InvalidArgument, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(["1"], Get(s)["trace_rate"]);
    }

    [Fact]
    public void Update_OffWithAnotherLevelOrTraceFile_TritonErrors()
    {
        var s = new TraceSettings(enabled: true);
        Assert.Equal(new InferenceError(StatusCode.InvalidArgument, "Expect only one trace level 'OFF' is specified"),
            s.Update(null, [("trace_level", V("OFF", "TIMESTAMPS"))]));
        Assert.Equal(new InferenceError(StatusCode.Unsupported, "trace file location can not be updated through network protocol"),
            s.Update(null, [("trace_file", V("/tmp/x.json"))]));
        Assert.Null(s.Update(null, [("trace_file", V("")), ("log_frequency", V("50"))]));
        Assert.Equal(["50"], Get(s)["log_frequency"]);
    }
}
