using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Turbine.Control.Specs;

/// <summary><c>metadata.annotations</c>: all kept as written; the <c>turbine.dev/</c> ones parsed into <see cref="TurbineSettings"/>.</summary>
public static partial class InferenceServiceParser
{
    private const string AnnotationsPath = "metadata.annotations";

    /// <summary>Most canary steps accepted in <c>turbine.dev/canary-steps</c>.</summary>
    public const int MaxCanarySteps = 20;

    /// <summary>Largest <c>turbine.dev/activator-queue-size</c>.</summary>
    public const int MaxActivatorQueueSize = 100_000;

    /// <summary>Largest <c>turbine.dev/max-p99-latency-ratio</c>.</summary>
    public const double MaxLatencyRatio = 100;

    private static TurbineSettings ReadAnnotations(YamlMappingNode map, Dictionary<string, string> annotations, SpecReader reader)
    {
        var settings = TurbineSettings.Default;
        foreach (var (keyNode, valueNode) in map.Children)
        {
            if (reader.String(keyNode, AnnotationsPath) is not { } key)
            {
                continue;
            }

            var path = AnnotationsPath + "." + key;
            if (!AnnotationKeyIsValid(key))
            {
                reader.Error(keyNode.Start, path,
                    "not a valid annotation key: an optional DNS-subdomain prefix and '/', then 1-63 characters from A-Z a-z 0-9 - _ ., starting and ending with a letter or digit");
                continue;
            }

            // Kubernetes annotations map strings to strings: a plain 3 or true is refused there, so here too.
            if (reader.String(valueNode, path) is not { } value)
            {
                continue;
            }

            annotations[key] = value;
            if (!key.StartsWith(TurbineAnnotations.Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            void Bad(string message) => reader.Error(valueNode.Start, path, message);
            switch (key)
            {
                case TurbineAnnotations.CanarySteps:
                    if (CanarySteps(value, out var error) is { } steps)
                    {
                        settings = settings with { CanarySteps = steps };
                    }
                    else
                    {
                        Bad(error!);
                    }

                    break;
                case TurbineAnnotations.AnalysisWindow:
                    settings = Duration(value, Bad) is { } window ? settings with { AnalysisWindow = window } : settings;
                    break;
                case TurbineAnnotations.ActivatorMaxWait:
                    settings = Duration(value, Bad) is { } wait ? settings with { ActivatorMaxWait = wait } : settings;
                    break;
                case TurbineAnnotations.ScaleToZeroGrace:
                    settings = Duration(value, Bad) is { } grace ? settings with { ScaleToZeroGrace = grace } : settings;
                    break;
                case TurbineAnnotations.MaxErrorRate:
                    if (Number(value) is { } rate and >= 0 and <= 1)
                    {
                        settings = settings with { MaxErrorRate = rate };
                    }
                    else
                    {
                        Bad($"expected an error rate between 0 and 1 (0.01 is 1%), got '{value}'");
                    }

                    break;
                case TurbineAnnotations.MaxP99LatencyRatio:
                    if (Number(value) is { } ratio and > 0 and <= MaxLatencyRatio)
                    {
                        settings = settings with { MaxP99LatencyRatio = ratio };
                    }
                    else
                    {
                        Bad($"expected a ratio above 0 and at most {MaxLatencyRatio} (canary p99 ÷ stable p99; 1.5 allows 50% slower), got '{value}'");
                    }

                    break;
                case TurbineAnnotations.ActivatorQueueSize:
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size is > 0 and <= MaxActivatorQueueSize)
                    {
                        settings = settings with { ActivatorQueueSize = size };
                    }
                    else
                    {
                        Bad($"expected a whole number of requests from 1 to {MaxActivatorQueueSize}, got '{value}'");
                    }

                    break;
                default:
                    reader.Error(keyNode.Start, path,
                        $"unknown Turbine annotation '{key}'; expected one of {string.Join(", ", TurbineAnnotations.All)}");
                    break;
            }
        }

        return settings;
    }

    /// <summary><c>10,50,100</c>: whole percents, strictly increasing, each 1..100, ending at 100 (the promotion).</summary>
    internal static IReadOnlyList<int>? CanarySteps(string text, out string? error)
    {
        error = null;
        var parts = text.Split(',');
        if (parts.Length > MaxCanarySteps)
        {
            error = $"expected at most {MaxCanarySteps} steps, got {parts.Length}";
            return null;
        }

        var steps = new List<int>(parts.Length);
        foreach (var part in parts)
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var step) || step is < 1 or > 100)
            {
                error = $"expected comma-separated percents from 1 to 100 such as \"10,50,100\", got '{part.Trim()}' in '{text}'";
                return null;
            }

            if (steps.Count > 0 && step <= steps[^1])
            {
                error = $"the steps must increase: {step} follows {steps[^1]} in '{text}'";
                return null;
            }

            steps.Add(step);
        }

        if (steps[^1] != 100)
        {
            error = $"the last step must be 100 (the promotion), got {steps[^1]} in '{text}'";
            return null;
        }

        return steps;
    }

    private static TimeSpan? Duration(string text, Action<string> bad)
    {
        if (SpecDuration.TryParse(text, out var value))
        {
            return value;
        }

        bad($"expected a duration such as 500ms, 60s, 2m or 1h (a positive whole number and one unit, at most 24h), got '{text}'");
        return null;
    }

    private static double? Number(string text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    private static bool AnnotationKeyIsValid(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var prefix = slash < 0 ? null : key[..slash];
        var name = slash < 0 ? key : key[(slash + 1)..];
        return name.Length is > 0 and <= 63 && AnnotationNamePattern().IsMatch(name)
            && (prefix is null || (prefix.Length is > 0 and <= 253 && DnsSubdomainPattern().IsMatch(prefix)));
    }

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex AnnotationNamePattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomainPattern();
}
