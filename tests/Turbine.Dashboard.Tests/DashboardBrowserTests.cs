using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Turbine.Client.Registry;
using Turbine.Control.Api;
using Turbine.Samples;

namespace Turbine.Dashboard.Tests;

/// <summary>
/// The pages in real headless Chromium against the real stack: each loads with live data, the buttons do what they say
/// (a promote changes the registry, a rollback rolls back), try-it answers, a read token sees disabled buttons, an XSS
/// payload shows as text, and no page logs a console error. Each test saves a screenshot (DashboardStack.ScreenshotDirectory).
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserTests(DashboardStack stack)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>A fresh browser context with <paramref name="token"/> in sessionStorage, and the console errors it collects.</summary>
    private async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> OpenAsync(string token, string hash)
    {
        var context = await stack.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1360, Height = 900 } });
        await context.AddInitScriptAsync($"sessionStorage.setItem('turbine.dashboard.token', {System.Text.Json.JsonSerializer.Serialize(token)});");
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add("page error: " + error);
            }
        };
        await page.GotoAsync(new Uri(stack.Control.Url, "dashboard/" + hash).ToString());
        return (context, page, errors);
    }

    private string DebugHistory()
    {
        using var http = stack.Http(stack.Admin);
        var text = http.GetStringAsync($"api/dashboard/deployments/{DashboardStack.Deployment}").GetAwaiter().GetResult();
        var history = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("history");
        return string.Join("\n", history.EnumerateArray().Where(p => p.GetProperty("qps").GetDouble() > 0).Select(p => p.ToString()));
    }

    private static async Task ShotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DashboardStack.ScreenshotDirectory, name + ".png"), FullPage = true });

    private static async Task NoXssRanAsync(IPage page)
    {
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__xss"));
        Assert.Equal(0, await page.Locator("main img").CountAsync());
    }

    [Fact]
    public async Task Models_PromoteFromTheUi_ChangesTheRegistry_ThenDeploymentsRollbackButton_RollsBack()
    {
        var (context, page, errors) = await OpenAsync(stack.Admin, "#/models");
        await using var _ = context;
        await page.Locator("a.model-name", new() { HasText = "simple" }).WaitForAsync();
        await ShotAsync(page, "models-list");
        await page.Locator("a.model-name", new() { HasText = "simple" }).ClickAsync();
        await page.Locator("section.version[data-version='2']").WaitForAsync();
        // The attacker's description, tag and params are text on the page, and nothing ran.
        Assert.Contains(DashboardStack.Xss, await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await NoXssRanAsync(page);
        Assert.Equal(0, await page.Locator("main a[href^='javascript']").CountAsync());
        Assert.Contains("ONNX signature", await page.Locator("section.version[data-version='1']").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("INPUT0", await page.Locator("section.version[data-version='1']").InnerTextAsync(), StringComparison.Ordinal);
        await ShotAsync(page, "models");

        // Promote v2: a confirmation first (cancel changes nothing), then the registry moves.
        var promote = page.Locator("section.version[data-version='2'] button", new() { HasText = "Promote to Production" });
        await promote.ClickAsync();
        await page.Locator("#confirm-cancel").ClickAsync();
        using var registry = new RegistryClient(stack.Registry.Url, stack.Reader);
        Assert.Equal("None", (await registry.GetVersionAsync("simple", 2)).Stage);
        await promote.ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        await Poll.UntilOrFailAsync(async () => (await registry.GetVersionAsync("simple", 2)).Stage == "Production", Deadline, () => "v2 never reached Production");
        await page.Locator("section.version[data-version='2'] .badge.production").WaitForAsync();

        // The controller sees the new Production version and starts a canary (steps 50, 100; 10-minute analysis window).
        using var control = new ControlClient(stack.Control.Url, stack.Reader);
        await Poll.UntilOrFailAsync(async () => (await control.GetAsync(DashboardStack.Deployment)).Status.Canary is { ReadyReplicas: > 0 }, Deadline,
            () => "no canary of v2 became ready", TimeSpan.FromMilliseconds(200));
        await stack.LoadAsync(30);
        await page.GotoAsync(new Uri(stack.Control.Url, $"dashboard/#/deployments/{DashboardStack.Deployment}").ToString());
        var rollout = page.Locator("section.rollout");
        await rollout.Locator("td", new() { HasText = "v2" }).First.WaitForAsync();
        // Canary and stable figures side by side, from the requests just sent (both revisions got some of them).
        await Poll.UntilOrFailAsync(async () => await stack.LoadAsync(10) == 10
            && (await rollout.Locator("td.canary-p99").InnerTextAsync()).EndsWith(" ms", StringComparison.Ordinal)
            && (await rollout.Locator("td.stable-p99").InnerTextAsync()).EndsWith(" ms", StringComparison.Ordinal), Deadline, () => "no canary/stable p99 shown: " + rollout.InnerTextAsync().GetAwaiter().GetResult() + "\n" + DebugHistory(), TimeSpan.FromMilliseconds(500));
        Assert.Equal("0 %", await rollout.Locator("td.canary-errors").InnerTextAsync());
        Assert.Contains("Autoscaler", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("main svg.chart path.line").CountAsync() >= 2, "the autoscaler and replica charts are drawn");
        await ShotAsync(page, "deployments");

        await rollout.Locator("button", new() { HasText = "Roll back" }).ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        await Poll.UntilOrFailAsync(async () =>
        {
            var status = (await control.GetAsync(DashboardStack.Deployment)).Status;
            return status.Canary is null && status.Rollout?.State == Turbine.Control.Reconciling.RolloutState.RolledBack;
        }, Deadline, () => "the rollback button did not roll back", TimeSpan.FromMilliseconds(200));
        Assert.Contains("RolloutRolledBack", string.Join(",", (await control.EventsAsync(DashboardStack.Deployment)).Events.Select(e => e.Reason)), StringComparison.Ordinal);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task ReadToken_SeesData_ButEveryWriteButtonIsDisabled()
    {
        var (context, page, errors) = await OpenAsync(stack.Reader, "#/models/simple");
        await using var _ = context;
        await page.Locator("section.version[data-version='1']").WaitForAsync();
        Assert.Contains("read only", await page.Locator("#who").InnerTextAsync(), StringComparison.Ordinal);
        foreach (var label in new[] { "Promote to Production", "Move to Staging", "Archive", "Set alias" })
        {
            var buttons = page.Locator("main button", new() { HasText = label });
            Assert.True(await buttons.CountAsync() > 0, label);
            for (var i = 0; i < await buttons.CountAsync(); i++)
            {
                Assert.True(await buttons.Nth(i).IsDisabledAsync(), $"'{label}' is enabled for a read token");
            }
        }

        await page.GotoAsync(new Uri(stack.Control.Url, $"dashboard/#/deployments/{DashboardStack.Deployment}").ToString());
        await page.Locator("section.rollout").WaitForAsync();
        foreach (var button in await page.Locator("section.rollout button").AllAsync())
        {
            Assert.True(await button.IsDisabledAsync());
        }

        Assert.Contains("Read-only token", await page.Locator("section.rollout").InnerTextAsync(), StringComparison.Ordinal);
        await page.GotoAsync(new Uri(stack.Control.Url, "dashboard/#/deployments").ToString());
        await page.Locator("main table a", new() { HasText = DashboardStack.Deployment }).WaitForAsync();
        await ShotAsync(page, "deployments-list");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Traffic_UnderLoad_ShowsRateAndLatency()
    {
        var (context, page, errors) = await OpenAsync(stack.Reader, "#/traffic");
        await using var _ = context;
        var qps = page.Locator($"tr[data-deployment='{DashboardStack.Deployment}'] td.qps");
        await Poll.UntilOrFailAsync(async () =>
        {
            await stack.LoadAsync(10);
            var text = await qps.InnerTextAsync();
            return text != "–" && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0;
        }, Deadline, () => "the traffic page never showed a request rate", TimeSpan.FromMilliseconds(200));
        await ShotAsync(page, "traffic");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task TryIt_FormFromMetadata_ReturnsTheModelsAnswer()
    {
        var (context, page, errors) = await OpenAsync(stack.Writer, $"#/tryit/{DashboardStack.Deployment}/simple");
        await using var _ = context;
        await page.Locator("textarea[data-input='INPUT0']").FillAsync("[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]");
        await page.Locator("textarea[data-input='INPUT1']").FillAsync("[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]");
        await page.Locator("#tryit-form button[type=submit]").ClickAsync();
        var sum = page.Locator("tr[data-output='OUTPUT0'] td.output-data");
        await sum.WaitForAsync();
        Assert.Equal("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]", await sum.InnerTextAsync());
        Assert.Equal("[-1,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14]", await page.Locator("tr[data-output='OUTPUT1'] td.output-data").InnerTextAsync());
        // simple is not tabular: no Explain button, a note saying why.
        Assert.Equal(0, await page.Locator("#tryit-explain").CountAsync());
        Assert.Contains("No explanation for simple: KernelSHAP explains tabular models", await page.Locator("p.explain-note").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("it has 2 inputs", await page.Locator("p.explain-note").InnerTextAsync(), StringComparison.Ordinal);
        await ShotAsync(page, "tryit");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task TryIt_Iris_ExplainButton_DrawsTheShapValues_TheySumToPredictionMinusExpected()
    {
        var (context, page, errors) = await OpenAsync(stack.Writer, $"#/tryit/{DashboardStack.IrisDeployment}/iris");
        await using var _ = context;
        await page.Locator("textarea[data-input='input']").FillAsync("[6.1,2.8,4.7,1.2]");
        await page.Locator("#tryit-form button[type=submit]").ClickAsync();
        await page.Locator("tr[data-output='probabilities'] td.output-data").WaitForAsync();
        await page.Locator("#tryit-explain").ClickAsync();
        var section = page.Locator("section.explanation");
        await section.WaitForAsync();
        Assert.Equal(4, await section.Locator("tbody tr").CountAsync());
        foreach (var feature in new[] { "sepal_length", "sepal_width", "petal_length", "petal_width" })
        {
            Assert.Equal(1, await section.Locator($"tr[data-feature='{feature}']").CountAsync());
        }

        Assert.Equal(4, await section.Locator("svg.contributions rect.bar").CountAsync());
        var phi = new List<double>();
        foreach (var cell in await section.Locator("td.shap").AllAsync())
        {
            phi.Add(double.Parse((await cell.GetAttributeAsync("data-value"))!, System.Globalization.CultureInfo.InvariantCulture));
        }

        var totals = section.Locator("p[data-expected]");
        var expected = double.Parse((await totals.GetAttributeAsync("data-expected"))!, System.Globalization.CultureInfo.InvariantCulture);
        var prediction = double.Parse((await totals.GetAttributeAsync("data-prediction"))!, System.Globalization.CultureInfo.InvariantCulture);
        var model = Turbine.Samples.SampleRepository.TrainIris();
        float[] x = [6.1f, 2.8f, 4.7f, 1.2f];
        Assert.Equal(model.PredictProbabilities(x).Max(), prediction, 3);
        Assert.Equal(prediction - expected, phi.Sum(), 4);
        Assert.Contains("reference profile of iris:1 in the registry", await section.InnerTextAsync(), StringComparison.Ordinal);
        await ShotAsync(page, "tryit-explain");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Payloads_XssModelName_IsShownAsText_AndFiltersWork()
    {
        // The iris replica's own payload log is read beside the configured folder, its records marked with the replica.
        Assert.Equal(2, await stack.LoadIrisAsync(2));
        var (context, page, errors) = await OpenAsync(stack.Reader, "#/payloads");
        await using var _ = context;
        await Poll.UntilOrFailAsync(async () =>
        {
            await page.Locator("#payload-filter button[type=submit]").ClickAsync();
            await page.Locator("main table").WaitForAsync();
            return await page.Locator("main table td.served-by", new() { HasText = "iris · " }).CountAsync() > 0;
        }, Deadline, () => "no record of the iris replica's payload log", TimeSpan.FromMilliseconds(300));
        Assert.Contains(DashboardStack.Xss, await page.Locator("main table").InnerTextAsync(), StringComparison.Ordinal);
        await NoXssRanAsync(page);
        await ShotAsync(page, "payloads");
        await page.Locator("#payload-filter select[name=status]").SelectOptionAsync("error");
        await page.Locator("#payload-filter button[type=submit]").ClickAsync();
        await page.GetByRole(AriaRole.Cell, new() { Name = "req-2", Exact = true }).WaitForAsync();
        Assert.Equal(1, await page.Locator("main table tbody tr").CountAsync());
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Health_RealMonitoredServer_IrisWithShiftedPetals_ShowsDriftQualityAndAccuracy()
    {
        // A real server monitoring iris against its training data's profile (as turbine up does), and a control host
        // whose dashboard reads that server's monitoring API.
        using var temp = new TempFolder("turbine-dashboard-health");
        SampleRepository.CreateModel(temp.Path, "iris");
        File.AppendAllText(Path.Combine(temp.Path, "iris", "config.pbtxt"), "\nparameters { key: \"payload_log\" value: { string_value: \"all\" } }\n");
        await using var monitoring = new Turbine.Monitoring.Online.MonitoringService();
        monitoring.Configure("iris", new Turbine.Monitoring.Online.MonitorSettings { Profile = DashboardStack.IrisProfile(), WindowRows = 100 });
        await using var server = await Turbine.Server.TurbineServer.StartAsync(new Turbine.Server.ServerOptions
        {
            Engine = new() { ModelRepository = temp.Path },
            HttpPort = 0, GrpcPort = 0, MetricsPort = 0, ShutdownTimeout = TimeSpan.FromSeconds(5), Monitoring = monitoring,
        }, l => l.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning));
        await using var control = await Turbine.Control.ControlHost.StartAsync(new ControlOptions
        {
            Port = 0, Dev = true, DataDirectory = temp.File("control"), ConfigureLogging = b => b.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning),
            Dashboard = new Turbine.Control.Dashboard.DashboardOptions { MonitoringUrl = server.HttpAddress },
        });

        // 128 training flowers of every class, petal length shifted by +1.5 cm; then their true labels as feedback.
        var (rows, labels) = SampleRepository.IrisTrainingData();
        var order = Enumerable.Range(0, 128).Select(i => i * 7 % rows.Length).ToArray();
        using var http = new HttpClient { BaseAddress = server.HttpAddress };
        for (var b = 0; b < 2; b++)
        {
            var data = order.Skip(b * 64).Take(64).SelectMany(i => rows[i].Select((v, j) => j == 2 ? v + 1.5f : v));
            var body = $"{{\"id\":\"h{b}\",\"inputs\":[{{\"name\":\"input\",\"shape\":[64,4],\"datatype\":\"FP32\",\"data\":[{string.Join(",", data.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}]}}]}}";
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var answer = await http.PostAsync("v2/models/iris/infer", content);
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        }

        await monitoring.FlushAsync(TimeSpan.FromSeconds(30)); // the engine's tap feeds it (no payload log involved)
        var feedback = System.Text.Json.JsonSerializer.Serialize(Enumerable.Range(0, 2).Select(b => new { id = $"h{b}", labels = order.Skip(b * 64).Take(64).Select(i => labels[i]).ToArray() }));
        using (var content = new StringContent(feedback, System.Text.Encoding.UTF8, "application/json"))
        {
            using var joined = await http.PostAsync("v2/models/iris/feedback", content);
            Assert.Contains("\"joined\":2", await joined.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var context = await stack.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1360, Height = 900 } });
        await using var _ = context;
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { errors.Add(m.Text); } };
        await page.GotoAsync(new Uri(control.Url, "dashboard/#/health/iris").ToString());
        await page.Locator("section.feature").First.WaitForAsync();
        Assert.Equal(4, await page.Locator("section.feature").CountAsync());
        var petal = page.Locator("section.feature", new() { HasText = "petal_length" });
        Assert.Contains("drift", await petal.Locator(".badge").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("stable", await page.Locator("section.feature", new() { HasText = "sepal_width" }).Locator(".badge").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await petal.Locator("rect.bar").CountAsync() >= 4);
        Assert.Contains(server.HttpAddress.ToString().TrimEnd('/'), await page.Locator("main a", new() { HasText = "open the HTML report" }).GetAttributeAsync("href") ?? "", StringComparison.Ordinal);
        Assert.Contains("% of the features drifted", await page.Locator(".dataset-drift").InnerTextAsync(), StringComparison.Ordinal);
        // Accuracy and the other metrics from the feedback: one closed window, so one marked point per metric.
        await page.Locator("main svg.chart circle.dot").First.WaitForAsync();
        Assert.Contains("accuracy", await page.Locator("main .legend").Last.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("iris", await page.Locator("#health-model").InputValueAsync());
        await ShotAsync(page, "health-iris");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Health_DrawsReferenceVsCurrentPerFeature_FromTheMonitoringSummary()
    {
        var (context, page, errors) = await OpenAsync(stack.Reader, "#/health/simple");
        await using var _ = context;
        await page.Locator("section.feature").First.WaitForAsync();
        Assert.Equal(2, await page.Locator("section.feature").CountAsync());
        Assert.Contains("drift", await page.Locator("section.feature").First.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(8, await page.Locator("section.feature").First.Locator("rect.bar").CountAsync()); // 4 bins × reference, current
        Assert.Equal("http://127.0.0.1:1/reports/simple.html", await page.Locator("main a", new() { HasText = "open the HTML report" }).GetAttributeAsync("href"));
        await ShotAsync(page, "health");

        // A model monitoring knows nothing about: the service's own message, no crash.
        await page.GotoAsync(new Uri(stack.Control.Url, "dashboard/#/health/other").ToString());
        await page.Locator("main .error").WaitForAsync();
        Assert.Contains("no statistics for model 'other'", await page.Locator("main .error").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(errors.All(e => e.Contains("404", StringComparison.Ordinal)), string.Join("\n", errors)); // the 404 fetch itself is logged by Chromium
    }
}
