using System.Diagnostics;
using OpenTelemetry.Trace;
using Turbine.Core;

namespace Turbine.Server.Telemetry;

/// <summary>
/// The sampler of Turbine's spans: a <c>turbine.infer</c> span is recorded when <see cref="TraceSettings"/> says so
/// for its model (new traces also pass <c>--trace-sampling-rate</c> first); every other span follows its parent
/// (stage spans, host spans), and a root span other than <c>turbine.infer</c> uses the ratio alone.
/// </summary>
internal sealed class TraceSettingsSampler(TraceSettings settings, double ratio) : Sampler
{
    private readonly TraceIdRatioBasedSampler _ratio = new(ratio);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var parent = samplingParameters.ParentContext;
        bool? parentSampled = parent.TraceId == default ? null : (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0;
        if (samplingParameters.Name != EngineTracing.InferSpan)
        {
            var keep = parentSampled ?? _ratio.ShouldSample(samplingParameters).Decision == SamplingDecision.RecordAndSample;
            return new SamplingResult(keep ? SamplingDecision.RecordAndSample : SamplingDecision.Drop);
        }

        if (parentSampled is null && _ratio.ShouldSample(samplingParameters).Decision != SamplingDecision.RecordAndSample)
        {
            return new SamplingResult(SamplingDecision.Drop);
        }

        string? model = null;
        if (samplingParameters.Tags is { } tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == EngineTracing.ModelTag)
                {
                    model = tag.Value as string;
                }
            }
        }

        return new SamplingResult(settings.Decide(model, parentSampled) ? SamplingDecision.RecordAndSample : SamplingDecision.Drop);
    }
}
