using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Turbine.Monitoring.Drift;
using Turbine.Monitoring.Online;
using Turbine.Monitoring.Profiles;
using Turbine.Monitoring.Reports;
using Turbine.Monitoring.Tests.Online;

namespace Turbine.Monitoring.Tests.Reports;

/// <summary>
/// The HTML report opened offline in Debian's headless chromium: the screenshot must show the charts' reference
/// (blue) and current (orange) bars, i.e. the inline SVG rendered without anything fetched from elsewhere.
/// </summary>
public sealed class HtmlReportChromiumTests
{
    private static string? Chromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    [Fact]
    public async Task Report_RendersCharts_InHeadlessChromium()
    {
        var chromium = Chromium();
        Assert.True(chromium is not null, "Debian's chromium is needed (apt-get install chromium); scripts/test.sh installs it");
        var profile = ProfileBuilder.Build(StreamData.Table(1, 3000));
        var drift = DriftDetector.Detect(profile, StreamData.Table(2, 1000, 0.5));
        var html = HtmlReport.Render("fraud:3 drift", drift, null, DateTimeOffset.UnixEpoch);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);

        using var folder = new TempFolder("turbine-report");
        var page = folder.File("report.html");
        await File.WriteAllTextAsync(page, html);
        var shot = folder.File("report.png");
        var start = new ProcessStartInfo(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={folder.File("profile")}",
            "--window-size=1200,1400", $"--screenshot={shot}", new Uri(page).AbsoluteUri])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(File.Exists(shot), $"chromium wrote no screenshot: {await stderr}");
        using var image = await Image.LoadAsync<Rgba32>(shot);
        long blue = 0, orange = 0;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (var p in rows.GetRowSpan(y))
                {
                    if (Near(p, 0x4c, 0x78, 0xa8))
                    {
                        blue++;
                    }
                    else if (Near(p, 0xf5, 0x85, 0x18))
                    {
                        orange++;
                    }
                }
            }
        });
        Assert.True(blue > 2000 && orange > 2000, $"chart pixels: reference {blue}, current {orange}");
        var keep = Environment.GetEnvironmentVariable("TURBINE_KEEP_REPORT_SCREENSHOT");
        if (!string.IsNullOrEmpty(keep))
        {
            File.Copy(shot, keep, overwrite: true);
        }
    }

    private static bool Near(Rgba32 p, int r, int g, int b) => Math.Abs(p.R - r) < 12 && Math.Abs(p.G - g) < 12 && Math.Abs(p.B - b) < 12;
}
