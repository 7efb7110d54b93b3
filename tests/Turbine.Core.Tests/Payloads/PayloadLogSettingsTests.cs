using System.Collections.Immutable;
using Turbine.Core.Payloads;

namespace Turbine.Core.Tests.Payloads;

public sealed class PayloadLogSettingsTests
{
    [Fact]
    public void Parse_AllKeys_ReadsEachValue()
    {
        var parsed = PayloadLogSettings.Parse(ImmutableDictionary<string, string>.Empty
            .Add("payload_log", "response").Add("payload_log_sampling", "0.25")
            .Add("payload_log_redact", "a, b").Add("payload_log_max_elements", "7"));

        Assert.True(parsed.IsOk);
        Assert.Equal((PayloadLogMode.Response, 0.25, 7L), (parsed.Value.Mode, parsed.Value.Sampling, parsed.Value.MaxElements));
        Assert.Equal(["a", "b"], parsed.Value.Redact.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("payload_log", "sometimes", "expected all, request, response or off, got 'sometimes'")]
    [InlineData("payload_log_sampling", "1.5", "expected a number from 0 to 1, got '1.5'")]
    [InlineData("payload_log_max_elements", "-1", "expected a non-negative integer, got '-1'")]
    public void Parse_BadValue_ErrorNamesParameterAndValue(string key, string value, string expected)
    {
        var parameters = ImmutableDictionary<string, string>.Empty.SetItem("payload_log", "all").SetItem(key, value);

        var parsed = PayloadLogSettings.Parse(parameters);

        Assert.False(parsed.IsOk);
        Assert.Equal($"parameter '{key}': {expected}", parsed.Error.Message);
    }
}
