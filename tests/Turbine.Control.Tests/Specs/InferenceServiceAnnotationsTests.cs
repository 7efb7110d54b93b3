using Turbine.Control.Specs;

namespace Turbine.Control.Tests.Specs;

public sealed class InferenceServiceAnnotationsTests
{
    private static string WithAnnotations(string annotations) => $"""
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: m1
          annotations:
        {annotations}
        spec:
          predictor:
            model:
              modelFormat: {"{"}name: onnx{"}"}
              storageUri: registry://fraud@champion
        """;

    [Fact]
    public void Parse_TurbineAnnotations_ParsedIntoSettings()
    {
        var result = InferenceServiceParser.Parse(SpecManifests.Full, "isvc.yaml");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var turbine = result.Spec!.Turbine;
        Assert.Equal([5, 25, 100], turbine.CanarySteps);
        Assert.Equal(TimeSpan.FromMinutes(2), turbine.AnalysisWindow);
        Assert.Equal(0.02, turbine.MaxErrorRate);
        Assert.Equal(1.25, turbine.MaxP99LatencyRatio);
        Assert.Equal(250, turbine.ActivatorQueueSize);
        Assert.Equal(TimeSpan.FromSeconds(45), turbine.ActivatorMaxWait);
        Assert.Equal(TimeSpan.FromSeconds(90), turbine.ScaleToZeroGrace);
    }

    [Fact]
    public void Parse_NoTurbineAnnotations_DocumentedDefaults()
    {
        var result = InferenceServiceParser.Parse(WithAnnotations("    team: risk"), "isvc.yaml");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var turbine = result.Spec!.Turbine;
        Assert.Equal([10, 50, 100], turbine.CanarySteps);
        Assert.Equal(TimeSpan.FromSeconds(60), turbine.AnalysisWindow);
        Assert.Equal(0.01, turbine.MaxErrorRate);
        Assert.Equal(1.5, turbine.MaxP99LatencyRatio);
        Assert.Equal(100, turbine.ActivatorQueueSize);
        Assert.Equal(TimeSpan.FromSeconds(30), turbine.ActivatorMaxWait);
        Assert.Equal(TimeSpan.FromSeconds(30), turbine.ScaleToZeroGrace);
        Assert.Equal("risk", result.Spec.Annotations["team"]);
    }

    [Fact]
    public void Parse_OtherAnnotations_KeptAsWritten()
    {
        var result = InferenceServiceParser.Parse(WithAnnotations("""
                autoscaling.knative.dev/target-utilization-percentage: "70"
                serving.kserve.io/enable-prometheus-scraping: "true"
                note: "a: b"
            """), "isvc.yaml");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["autoscaling.knative.dev/target-utilization-percentage"] = "70",
                ["serving.kserve.io/enable-prometheus-scraping"] = "true",
                ["note"] = "a: b",
            },
            result.Spec!.Annotations);
    }

    [Theory]
    [InlineData("turbine.dev/canary-steps: \"50,10,100\"", "the steps must increase: 10 follows 50 in '50,10,100'")]
    [InlineData("turbine.dev/canary-steps: \"10,50\"", "the last step must be 100 (the promotion), got 50 in '10,50'")]
    [InlineData("turbine.dev/canary-steps: \"0,100\"", "expected comma-separated percents from 1 to 100 such as \"10,50,100\", got '0' in '0,100'")]
    [InlineData("turbine.dev/canary-steps: \"10,,100\"", "expected comma-separated percents from 1 to 100 such as \"10,50,100\", got '' in '10,,100'")]
    [InlineData("turbine.dev/canary-steps: \"10,150\"", "expected comma-separated percents from 1 to 100 such as \"10,50,100\", got '150' in '10,150'")]
    [InlineData("turbine.dev/analysis-window: \"60\"", "expected a duration such as 500ms, 60s, 2m or 1h (a positive whole number and one unit, at most 24h), got '60'")]
    [InlineData("turbine.dev/analysis-window: 0s", "expected a duration such as 500ms, 60s, 2m or 1h (a positive whole number and one unit, at most 24h), got '0s'")]
    [InlineData("turbine.dev/activator-max-wait: 25h", "expected a duration such as 500ms, 60s, 2m or 1h (a positive whole number and one unit, at most 24h), got '25h'")]
    [InlineData("turbine.dev/scale-to-zero-grace: 1.5m", "expected a duration such as 500ms, 60s, 2m or 1h (a positive whole number and one unit, at most 24h), got '1.5m'")]
    [InlineData("turbine.dev/max-error-rate: \"1.5\"", "expected an error rate between 0 and 1 (0.01 is 1%), got '1.5'")]
    [InlineData("turbine.dev/max-error-rate: \"-0.1\"", "expected an error rate between 0 and 1 (0.01 is 1%), got '-0.1'")]
    [InlineData("turbine.dev/max-p99-latency-ratio: \"0\"", "expected a ratio above 0 and at most 100 (canary p99 ÷ stable p99; 1.5 allows 50% slower), got '0'")]
    [InlineData("turbine.dev/max-p99-latency-ratio: NaN", "expected a ratio above 0 and at most 100 (canary p99 ÷ stable p99; 1.5 allows 50% slower), got 'NaN'")]
    [InlineData("turbine.dev/activator-queue-size: \"0\"", "expected a whole number of requests from 1 to 100000, got '0'")]
    [InlineData("turbine.dev/activator-queue-size: \"1e3\"", "expected a whole number of requests from 1 to 100000, got '1e3'")]
    public void Parse_BadTurbineAnnotation_ReportsAtValue(string line, string message)
    {
        var result = InferenceServiceParser.Parse(WithAnnotations("    " + line), "isvc.yaml");

        var error = Assert.Single(result.Errors);
        var key = line[..line.IndexOf(':', StringComparison.Ordinal)];
        Assert.Equal($"isvc.yaml:6:{key.Length + 7}: metadata.annotations.{key}: {message}", error.ToString());
    }

    [Fact]
    public void Parse_UnknownTurbineAnnotation_ReportsAtKey()
    {
        var result = InferenceServiceParser.Parse(WithAnnotations("    team: risk\n    turbine.dev/canary-step: \"10,100\""), "isvc.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal((7, 5, "metadata.annotations.turbine.dev/canary-step"), (error.Line, error.Column, error.Path));
        Assert.StartsWith("unknown Turbine annotation 'turbine.dev/canary-step'; expected one of turbine.dev/canary-steps, ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("turbine.dev/activator-queue-size: 100", "expected a string, got the number 100; quote it (\"100\")")]
    [InlineData("enabled: yes", "expected a string, got the boolean yes; quote it (\"yes\")")]
    [InlineData("empty:", "expected a string, got the null ; quote it (\"\")")]
    public void Parse_UnquotedNonStringAnnotation_RefusedAsKubernetesWould(string line, string message)
    {
        var result = InferenceServiceParser.Parse(WithAnnotations("    " + line), "isvc.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(message, error.Message);
        Assert.Equal(6, error.Line);
    }

    [Theory]
    [InlineData("-bad")]
    [InlineData("Bad.Prefix/x")]
    [InlineData("a/b/c")]
    public void Parse_InvalidAnnotationKey_Refused(string key)
    {
        var result = InferenceServiceParser.Parse(WithAnnotations($"    {key}: \"v\""), "isvc.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal((6, 5), (error.Line, error.Column));
        Assert.StartsWith("not a valid annotation key", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("60s", 60_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("24h", 86_400_000)]
    public void SpecDuration_TryParse_ReadsUnits(string text, long milliseconds)
    {
        Assert.True(SpecDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("1 s")]
    [InlineData("1d")]
    [InlineData("1m30s")]
    [InlineData("9999999999h")]
    public void SpecDuration_TryParse_RefusesOtherForms(string text)
    {
        Assert.False(SpecDuration.TryParse(text, out _));
    }
}
