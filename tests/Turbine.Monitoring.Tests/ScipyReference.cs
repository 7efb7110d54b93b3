using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Turbine.Monitoring.Tests;

/// <summary>Runs scipy_reference.py with Debian's /usr/bin/python3 (python3-scipy) on a batch of cases.</summary>
internal static class ScipyReference
{
    public const string Python = "/usr/bin/python3";

    public static IReadOnlyList<(double? Score, double? Statistic)> Run(JsonArray cases)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "scipy_reference.py");
        var start = new ProcessStartInfo(Python, [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(cases.ToJsonString());
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException("scipy_reference.py did not finish within 60 s");
        }

        Assert.True(process.ExitCode == 0, $"scipy_reference.py failed: {stderr.Result}");
        var answers = JsonSerializer.Deserialize<JsonArray>(stdout)!;
        return answers.Select(a => (Number(a!["score"]), Number(a["statistic"]))).ToArray();
    }

    private static double? Number(JsonNode? node) =>
        node is null ? null
        : node.GetValueKind() == JsonValueKind.String ? ((string)node! == "inf" ? double.PositiveInfinity : double.NegativeInfinity)
        : (double)node;
}
