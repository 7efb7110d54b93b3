using System.Globalization;
using System.Text.RegularExpressions;

namespace Turbine.Server.Tests.Telemetry;

/// <summary>One parsed Prometheus text scrape: samples with their labels, and the declared family names.</summary>
internal sealed partial class MetricsScrape
{
    private MetricsScrape(string text, List<(string Name, Dictionary<string, string> Labels, double Value)> samples, HashSet<string> families)
    {
        Text = text;
        Samples = samples;
        Families = families;
    }

    public string Text { get; }

    public List<(string Name, Dictionary<string, string> Labels, double Value)> Samples { get; }

    public HashSet<string> Families { get; }

    public static async Task<MetricsScrape> GetAsync(TurbineServer server)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(server.MetricsAddress);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString());
        return Parse(await response.Content.ReadAsStringAsync());
    }

    public static MetricsScrape Parse(string text)
    {
        var samples = new List<(string, Dictionary<string, string>, double)>();
        var families = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                families.Add(line.Split(' ')[2]);
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            var name = brace >= 0 ? line[..brace] : line[..space];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (brace >= 0)
            {
                foreach (Match m in LabelPair().Matches(line[brace..space]))
                {
                    labels[m.Groups[1].Value] = m.Groups[2].Value;
                }
            }

            var valueText = line[(space + 1)..];
            var value = valueText == "+Inf" ? double.PositiveInfinity : double.Parse(valueText, CultureInfo.InvariantCulture);
            samples.Add((name, labels, value));
        }

        return new MetricsScrape(text, samples, families);
    }

    /// <summary>The sum of every sample named <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    /// <summary>Whether some sample has the name (and labels).</summary>
    public bool Has(string name, params (string Key, string Value)[] labels) =>
        Samples.Any(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));

    [GeneratedRegex("""(\w+)="((?:[^"\\]|\\.)*)"(?:,|})""")]
    private static partial Regex LabelPair();
}
