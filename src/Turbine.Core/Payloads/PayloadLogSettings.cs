using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;

namespace Turbine.Core.Payloads;

/// <summary>
/// A model's payload-log settings, read from its config <c>parameters</c> (a new config field would be an
/// unknown-field error for Triton-compatible tools): <c>payload_log</c> = all|request|response|off,
/// <c>payload_log_sampling</c> = 0..1, <c>payload_log_redact</c> = comma-separated tensor names,
/// <c>payload_log_max_elements</c> = elements kept per tensor.
/// </summary>
internal sealed record PayloadLogSettings(PayloadLogMode Mode, double Sampling, FrozenSet<string> Redact, long MaxElements)
{
    public const string ModeKey = "payload_log";
    public const string SamplingKey = "payload_log_sampling";
    public const string RedactKey = "payload_log_redact";
    public const string MaxElementsKey = "payload_log_max_elements";

    /// <summary>Elements kept per tensor when <c>payload_log_max_elements</c> is absent.</summary>
    public const long DefaultMaxElements = 1024;

    public static readonly PayloadLogSettings Off = new(PayloadLogMode.Off, 0, FrozenSet<string>.Empty, DefaultMaxElements);

    public bool LogsInputs => Mode is PayloadLogMode.Request or PayloadLogMode.All;

    public bool LogsOutputs => Mode is PayloadLogMode.Response or PayloadLogMode.All;

    /// <summary>Parses the parameters; an error names the parameter, the value and what was expected.</summary>
    public static Result<PayloadLogSettings> Parse(ImmutableDictionary<string, string> parameters)
    {
        if (!parameters.TryGetValue(ModeKey, out var modeText))
        {
            return Result<PayloadLogSettings>.Ok(Off);
        }

        PayloadLogMode mode;
        switch (modeText.Trim().ToLowerInvariant())
        {
            case "all": mode = PayloadLogMode.All; break;
            case "request": mode = PayloadLogMode.Request; break;
            case "response": mode = PayloadLogMode.Response; break;
            case "off" or "": mode = PayloadLogMode.Off; break;
            default: return InferenceError.InvalidArgument($"parameter '{ModeKey}': expected all, request, response or off, got '{modeText}'");
        }

        var sampling = 1.0;
        if (parameters.TryGetValue(SamplingKey, out var samplingText)
            && (!double.TryParse(samplingText, NumberStyles.Float, CultureInfo.InvariantCulture, out sampling) || sampling is < 0 or > 1 || double.IsNaN(sampling)))
        {
            return InferenceError.InvalidArgument($"parameter '{SamplingKey}': expected a number from 0 to 1, got '{samplingText}'");
        }

        var maxElements = DefaultMaxElements;
        if (parameters.TryGetValue(MaxElementsKey, out var maxText)
            && (!long.TryParse(maxText, NumberStyles.Integer, CultureInfo.InvariantCulture, out maxElements) || maxElements < 0))
        {
            return InferenceError.InvalidArgument($"parameter '{MaxElementsKey}': expected a non-negative integer, got '{maxText}'");
        }

        var redact = parameters.TryGetValue(RedactKey, out var redactText)
            ? redactText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToFrozenSet(StringComparer.Ordinal)
            : FrozenSet<string>.Empty;
        return Result<PayloadLogSettings>.Ok(new PayloadLogSettings(mode, sampling, redact, maxElements));
    }
}
