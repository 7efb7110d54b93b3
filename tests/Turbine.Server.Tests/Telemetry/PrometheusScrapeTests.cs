using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Turbine.Server.Tests.Telemetry;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>, installed by scripts/test.sh) on a free loopback port scrapes
/// Turbine's metrics port every second; PromQL over its HTTP API returns what was sent.
/// </summary>
public sealed class PrometheusScrapeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Prometheus_ScrapesTurbine_QueryReturnsRequestsSent()
    {
        var binary = FindPrometheus() ?? throw new InvalidOperationException(
            "the prometheus binary is not installed: run scripts/test.sh as root (it installs it) or apt-get install prometheus");
        await using var harness = await ServerHarness.StartAsync();
        var dir = Directory.CreateTempSubdirectory("turbine-prometheus-");
        var port = Loopback.FreePort();
        var config = Path.Combine(dir.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: turbine
                metrics_path: /metrics
                static_configs:
                  - targets: ["127.0.0.1:{harness.Server.MetricsAddress.Port}"]
            """);
        var output = new StringBuilder();
        using var prometheus = new Process
        {
            StartInfo = new ProcessStartInfo(binary)
            {
                ArgumentList =
                {
                    $"--config.file={config}",
                    $"--storage.tsdb.path={Path.Combine(dir.FullName, "data")}",
                    $"--web.listen-address=127.0.0.1:{port}",
                    "--log.level=warn",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
        };
        prometheus.OutputDataReceived += (_, e) => Append(output, e.Data);
        prometheus.ErrorDataReceived += (_, e) => Append(output, e.Data);
        prometheus.Start();
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            // One request creates the series; once Prometheus has scraped it, the rest make the rate non-zero.
            const int n = 8;
            Assert.Equal(200, (await harness.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson())).Status);
            await WaitForAsync(api, "turbine_request_duration_seconds_count{model=\"simple\"}", v => v == 1, prometheus, output);
            for (var i = 1; i < n; i++)
            {
                Assert.Equal(200, (await harness.PostJsonAsync("/v2/models/simple/infer", ServerHarness.SimpleJson(offset: i * 100))).Status);
            }

            var success = await WaitForAsync(api, "nv_inference_request_success{model=\"simple\"}", v => v == n, prometheus, output);
            Assert.Equal(n, success);
            var p50 = await WaitForAsync(api, "histogram_quantile(0.5, sum by (le) (rate(turbine_request_duration_seconds_bucket[1m])))",
                v => !double.IsNaN(v), prometheus, output);
            Assert.InRange(p50, 0, 10);
        }
        finally
        {
            if (!prometheus.HasExited)
            {
                prometheus.Kill(entireProcessTree: true);
                await prometheus.WaitForExitAsync();
            }

            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Polls an instant query until its (summed) value satisfies <paramref name="done"/>; fails with the last answer.</summary>
    private static async Task<double> WaitForAsync(HttpClient api, string query, Func<double, bool> done, Process prometheus, StringBuilder output)
    {
        var last = "(no answer)";
        var result = double.NaN;
        await Poll.UntilOrFailAsync(
            async () =>
            {
                Assert.False(prometheus.HasExited, $"prometheus exited with {(prometheus.HasExited ? prometheus.ExitCode : 0)}:\n{Snapshot(output)}");
                try
                {
                    last = await api.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(query));
                    if (TryValue(last) is { } value && done(value))
                    {
                        result = value;
                        return true;
                    }
                }
                catch (HttpRequestException e)
                {
                    last = e.Message; // not listening yet
                }

                return false;
            },
            Deadline,
            () => $"Prometheus query {query} did not reach the expected value within {Deadline.TotalSeconds} s; last answer: {last}\nprometheus output:\n{Snapshot(output)}",
            TimeSpan.FromMilliseconds(250));
        return result;
    }

    /// <summary>The sum of an instant vector's values, or the scalar; null when the result is empty.</summary>
    private static double? TryValue(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var data = doc.RootElement.GetProperty("data");
        var result = data.GetProperty("result");
        if (data.GetProperty("resultType").GetString() == "scalar")
        {
            return Parse(result[1].GetString()!);
        }

        if (result.GetArrayLength() == 0)
        {
            return null;
        }

        return result.EnumerateArray().Sum(r => Parse(r.GetProperty("value")[1].GetString()!));
    }

    private static double Parse(string text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };

    private static string? FindPrometheus() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Append("/usr/bin")
            .Select(d => Path.Combine(d, "prometheus"))
            .FirstOrDefault(File.Exists);

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
