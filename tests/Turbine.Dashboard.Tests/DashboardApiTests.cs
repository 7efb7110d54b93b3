using System.Net;
using System.Text;
using System.Text.Json;
using Turbine.Client.Registry;
using Turbine.Control.Dashboard;
using Microsoft.Extensions.Logging;
using Turbine.Control.Reconciling;

namespace Turbine.Dashboard.Tests;

/// <summary>The dashboard's JSON API and static assets over HTTP, against the real stack.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardApiTests(DashboardStack stack)
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task Me_ReadToken_IsReadOnly_AndEveryWriteIsRefused403()
    {
        using var registry = new RegistryClient(stack.Registry.Url, stack.Reader);
        var stageBefore = (await registry.GetVersionAsync("simple", 1)).Stage;
        using var http = stack.Http(stack.Reader);
        var me = await JsonAsync(await http.GetAsync("api/dashboard/me"));
        Assert.Equal("reader", me.GetProperty("name").GetString());
        Assert.Equal("read", me.GetProperty("scope").GetString());
        Assert.True(me.GetProperty("registry").GetBoolean());

        using var stage = new StringContent("{\"stage\":\"Archived\"}", Encoding.UTF8, "application/json");
        using var refusedStage = await http.PostAsync("api/dashboard/models/simple/versions/1/stage", stage);
        Assert.Equal(HttpStatusCode.Forbidden, refusedStage.StatusCode);
        using var alias = new StringContent("{\"version\":1}", Encoding.UTF8, "application/json");
        using var refusedAlias = await http.PutAsync("api/dashboard/models/simple/aliases/champion", alias);
        Assert.Equal(HttpStatusCode.Forbidden, refusedAlias.StatusCode);
        using var refusedRollback = await http.PostAsync($"api/v1/deployments/{DashboardStack.Deployment}/rollout/rollback", null);
        Assert.Equal(HttpStatusCode.Forbidden, refusedRollback.StatusCode);
        using var infer = new StringContent(DashboardStack.SimpleRequest, Encoding.UTF8, "application/json");
        using var refusedInfer = await http.PostAsync("api/dashboard/tryit/simple/simple/infer", infer);
        Assert.Equal(HttpStatusCode.Forbidden, refusedInfer.StatusCode);

        // Nothing changed in the registry.
        var model = await registry.GetModelAsync("simple");
        Assert.False(model.Aliases.ContainsKey("champion"));
        Assert.Equal(stageBefore, (await registry.GetVersionAsync("simple", 1)).Stage);
    }

    [Fact]
    public async Task Api_WithoutToken_401_ButPagesAreServedWithStrictCsp()
    {
        using var anonymous = stack.Http(null);
        using var refused = await anonymous.GetAsync("api/dashboard/deployments");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var page = await anonymous.GetAsync("dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal); // no inline script: only <script src>
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal);

        using var module = await anonymous.GetAsync("dashboard/pages/models.js");
        Assert.Equal("text/javascript", module.Content.Headers.ContentType?.MediaType);
        using var missing = await anonymous.GetAsync("dashboard/..%2FTurbine.Control.dll");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var root = await anonymous.GetAsync("");
        Assert.Equal("/dashboard/", root.RequestMessage!.RequestUri!.AbsolutePath); // GET / redirects to the dashboard
    }

    [Fact]
    public async Task Assets_NoScriptUsesInnerHtmlOrEval()
    {
        // The XSS defence is structural: data reaches the DOM as text nodes only.
        foreach (var name in DashboardEndpoints.Names.Where(n => n.EndsWith(".js", StringComparison.Ordinal)))
        {
            using var http = stack.Http(null);
            var js = await http.GetStringAsync("dashboard/" + name);
            foreach (var sink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function" })
            {
                Assert.False(js.Contains(sink, StringComparison.Ordinal), $"{name} uses {sink}");
            }
        }
    }

    [Fact]
    public async Task Deployment_ShowsReadyReplicaWithPortsLogAndAutoscalerHistory()
    {
        using var http = stack.Http(stack.Reader);
        JsonElement detail = default;
        await Poll.UntilOrFailAsync(async () =>
        {
            detail = await JsonAsync(await http.GetAsync($"api/dashboard/deployments/{DashboardStack.Deployment}"));
            return detail.GetProperty("history").GetArrayLength() >= 2 && detail.GetProperty("replicas").GetArrayLength() > 0;
        }, TimeSpan.FromSeconds(30), () => detail.ToString(), TimeSpan.FromMilliseconds(200));
        var replica = detail.GetProperty("replicas")[0];
        Assert.True(replica.GetProperty("replica").GetProperty("httpPort").GetInt32() > 0);
        Assert.NotEqual(0, replica.GetProperty("log").GetArrayLength());
        Assert.Equal(["simple"], detail.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        var point = detail.GetProperty("history")[detail.GetProperty("history").GetArrayLength() - 1];
        Assert.Equal(4, point.GetProperty("target").GetDouble());
        Assert.True(point.GetProperty("ready").GetInt32() >= 1);
        Assert.Contains("minReplicas: 1", detail.GetProperty("yaml").GetString(), StringComparison.Ordinal);
        Assert.True(detail.GetProperty("coldStarts").GetArrayLength() >= 1, "the replica's cold start is listed");
    }

    [Fact]
    public async Task Traffic_AfterLoad_ShowsRateLatencyAndBatchSizeFromGatewayAndServer()
    {
        using var http = stack.Http(stack.Reader);
        JsonElement row = default;
        await Poll.UntilOrFailAsync(async () =>
        {
            Assert.Equal(20, await stack.LoadAsync(20));
            var traffic = await JsonAsync(await http.GetAsync("api/dashboard/traffic"));
            row = traffic.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("deployment").GetString() == DashboardStack.Deployment);
            return row.GetProperty("series").EnumerateArray().Any(p => p.GetProperty("qps").GetDouble() > 0
                && p.GetProperty("p99Ms").ValueKind == JsonValueKind.Number && p.GetProperty("batchSize").ValueKind == JsonValueKind.Number);
        }, TimeSpan.FromSeconds(30), () => row.ToString(), TimeSpan.FromMilliseconds(100));
        var busy = row.GetProperty("series").EnumerateArray().First(p => p.GetProperty("qps").GetDouble() > 0 && p.GetProperty("batchSize").ValueKind == JsonValueKind.Number);
        Assert.True(busy.GetProperty("p50Ms").GetDouble() <= busy.GetProperty("p99Ms").GetDouble());
        Assert.Equal(0, busy.GetProperty("errorRate").GetDouble());
        Assert.True(busy.GetProperty("batchSize").GetDouble() >= 1);
    }

    [Fact]
    public async Task Payloads_FilterByIdAndStatus_SkipsBadLines()
    {
        using var http = stack.Http(stack.Reader);
        // The configured folder's records (the iris replica's own log holds today's, newer ones: before 2026-02 keeps them out).
        var all = await JsonAsync(await http.GetAsync("api/dashboard/payloads?until=2026-02-01T00:00:00Z"));
        Assert.Equal(["req-3", "req-2", "req-1"], all.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var errors = await JsonAsync(await http.GetAsync("api/dashboard/payloads?status=error"));
        Assert.Equal(["req-2"], errors.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var one = await JsonAsync(await http.GetAsync("api/dashboard/payloads?id=req-1&since=2026-01-31T11:59:00Z&until=2026-01-31T12:00:30Z"));
        Assert.Equal(["req-1"], one.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        using var bad = await http.GetAsync("api/dashboard/payloads?since=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("since must be an ISO 8601 time", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ForwardsTheMonitoringSummaryWithTheCallersToken_AndItsErrors()
    {
        using var http = stack.Http(stack.Reader);
        var health = await JsonAsync(await http.GetAsync("api/dashboard/health/simple"));
        Assert.Equal(2, health.GetProperty("features").GetArrayLength());
        Assert.Equal("Bearer " + stack.Reader, stack.Monitoring.LastAuthorization);
        using var unknown = await http.GetAsync("api/dashboard/health/other");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no statistics for model 'other'", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelLimitedToken_SeesOnlyItsModels_DeploymentsPayloadsAndHealth()
    {
        // A registry reader token limited to models 'fraud*' (created by the admin through the registry's API).
        using var admin = new HttpClient { BaseAddress = stack.Registry.Url };
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", stack.Admin);
        using var body = new StringContent("{\"name\":\"fraud-reader\",\"role\":\"reader\",\"models\":\"fraud*\"}", Encoding.UTF8, "application/json");
        var created = await JsonAsync(await admin.PostAsync("api/v1/tokens", body));
        using var http = stack.Http(created.GetProperty("token").GetString());

        var deployments = await JsonAsync(await http.GetAsync("api/dashboard/deployments"));
        Assert.Equal(0, deployments.GetProperty("deployments").GetArrayLength());
        using var detail = await http.GetAsync($"api/dashboard/deployments/{DashboardStack.Deployment}");
        Assert.Equal(HttpStatusCode.Forbidden, detail.StatusCode);
        var payloads = await JsonAsync(await http.GetAsync("api/dashboard/payloads"));
        Assert.Equal(0, payloads.GetProperty("records").GetArrayLength());
        using var health = await http.GetAsync("api/dashboard/health/simple");
        Assert.Equal(HttpStatusCode.Forbidden, health.StatusCode);
        using var tryit = await http.GetAsync("api/dashboard/tryit/simple/simple");
        Assert.Equal(HttpStatusCode.Forbidden, tryit.StatusCode);
    }

    [Fact]
    public async Task Payloads_ReadEachReplicasOwnPayloadLog_MergedNewestFirstWithTheConfiguredFolder()
    {
        Assert.Equal(3, await stack.LoadIrisAsync(3));
        using var http = stack.Http(stack.Reader);
        JsonElement found = default;
        await Poll.UntilOrFailAsync(async () => (found = (await JsonAsync(await http.GetAsync("api/dashboard/payloads?model=iris&id=iris-2"))).GetProperty("records")).GetArrayLength() == 1,
            TimeSpan.FromSeconds(30), () => "the iris replica's payload record never showed: " + found, TimeSpan.FromMilliseconds(200));
        var record = found[0];
        Assert.Equal("iris", record.GetProperty("deployment").GetString());
        Assert.Equal("ok", record.GetProperty("status").GetString());
        var replica = record.GetProperty("replica").GetString()!;
        using (var control = new Turbine.Control.Api.ControlClient(stack.Control.Url, stack.Reader))
        {
            Assert.Equal(replica, Assert.Single((await control.GetAsync("iris")).Status.Replicas).Id);
        }

        Assert.True(Directory.Exists(Path.Combine(stack.ControlDataDirectory, "replicas", "iris", replica, "payloads")));

        // One list over every source, newest first: the replica's records of today before the configured folder's of 2026-01-31.
        var all = (await JsonAsync(await http.GetAsync("api/dashboard/payloads?limit=200"))).GetProperty("records").EnumerateArray().ToList();
        var starts = all.Select(r => DateTimeOffset.Parse(r.GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(starts.OrderByDescending(t => t), starts);
        Assert.Contains(all, r => r.GetProperty("id").GetString() == "iris-2");
        Assert.Contains(all, r => r.GetProperty("id").GetString() == "req-1" && !r.TryGetProperty("deployment", out _));

        // Filtered to one deployment: only its replicas' folders are read.
        var iris = (await JsonAsync(await http.GetAsync("api/dashboard/payloads?deployment=iris&limit=200"))).GetProperty("records").EnumerateArray().ToList();
        Assert.NotEmpty(iris);
        Assert.All(iris, r => Assert.Equal("iris", r.GetProperty("deployment").GetString()));
    }

    [Fact]
    public async Task Explain_Iris_BackgroundFromTheRegistryProfile_SumsToPredictionMinusExpected_SimpleGetsTheServers400()
    {
        using var http = stack.Http(stack.Writer);
        float[] x = [6.1f, 2.8f, 4.7f, 1.2f];
        using var body = new StringContent(JsonSerializer.Serialize(new { instances = new[] { x } }), Encoding.UTF8, "application/json");
        var answer = await JsonAsync(await http.PostAsync("api/dashboard/tryit/iris/iris/explain", body));
        var data = answer.GetProperty("data");
        Assert.Equal(["sepal_length", "sepal_width", "petal_length", "petal_width"], data.GetProperty("feature_names").EnumerateArray().Select(n => n.GetString()));
        Assert.Contains("reference profile of iris:1 in the registry", answer.GetProperty("turbine").GetProperty("background").GetString(), StringComparison.Ordinal);
        var phi = data.GetProperty("shap_values")[0][0].EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var target = answer.GetProperty("meta").GetProperty("params").GetProperty("target").GetInt32();

        // Independently: the iris model in C#, the background the profile gives, Σφ = f(x)[target] − mean f(background)[target].
        var model = Turbine.Samples.SampleRepository.TrainIris();
        Assert.Equal(model.Predict(x), target);
        var background = DashboardApi.BackgroundFrom(DashboardStack.IrisProfile())!;
        Assert.Equal(DashboardApi.BackgroundRows, background.Length);
        var expected = background.Average(b => (double)model.PredictProbabilities([.. b.Select(v => (float)v)])[target]);
        Assert.Equal(model.PredictProbabilities(x)[target] - expected, phi.Sum(), 3);
        Assert.Equal(expected, data.GetProperty("expected_value")[0].GetDouble(), 3);

        // A model that is not tabular: the server's 400 names the explainers that apply; a read token may not explain.
        using var simpleBody = new StringContent("{\"instances\":[[1,2]]}", Encoding.UTF8, "application/json");
        using var simple = await http.PostAsync("api/dashboard/tryit/simple/simple/explain", simpleBody);
        Assert.Equal(HttpStatusCode.BadRequest, simple.StatusCode);
        Assert.Contains("explainers that apply to tabular models: kernel_shap", await simple.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var reader = stack.Http(stack.Reader);
        using var readBody = new StringContent("{\"instances\":[[1,2,3,4]]}", Encoding.UTF8, "application/json");
        using var refused = await reader.PostAsync("api/dashboard/tryit/iris/iris/explain", readBody);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var badBody = new StringContent("{\"rows\":1}", Encoding.UTF8, "application/json");
        using var bad = await http.PostAsync("api/dashboard/tryit/iris/iris/explain", badBody);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("needs \\\"instances\\\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryIt_UnknownModelOfDeployment_404NamesIt()
    {
        using var http = stack.Http(stack.Writer);
        using var response = await http.GetAsync("api/dashboard/tryit/simple/other");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("does not route a model named 'other'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>The sampler's quantile, the options' rules, and a bare control host's dashboard, without the stack.</summary>
public sealed class DashboardUnitTests
{
    [Fact]
    public async Task BareControlHost_DevMode_ServesTheDashboard_WithEmptyStatesForWhatIsNotConfigured()
    {
        using var temp = new TempFolder("turbine-dashboard-bare");
        await using var control = await Turbine.Control.ControlHost.StartAsync(new Turbine.Control.Api.ControlOptions
        {
            Port = 0, Dev = true, DataDirectory = temp.Path, ConfigureLogging = b => b.ClearProviders(),
        });
        using var http = new HttpClient { BaseAddress = control.Url };
        var health = JsonDocument.Parse(await http.GetStringAsync("api/dashboard/health/simple")).RootElement;
        Assert.False(health.GetProperty("configured").GetBoolean());
        var payloads = JsonDocument.Parse(await http.GetStringAsync("api/dashboard/payloads")).RootElement;
        Assert.False(payloads.GetProperty("configured").GetBoolean());
        using var models = await http.GetAsync("api/dashboard/models");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, models.StatusCode);
        Assert.Contains("no registry configured", await models.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var deployments = JsonDocument.Parse(await http.GetStringAsync("api/dashboard/deployments")).RootElement;
        Assert.Equal(0, deployments.GetProperty("deployments").GetArrayLength());
        Assert.Contains("<main id=\"app\"", await http.GetStringAsync("dashboard/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GatewayModels_ListedInMe_TryItChecksTheListBeforeTheGateway()
    {
        using var temp = new TempFolder("turbine-dashboard-gateway-models");
        await using var control = await Turbine.Control.ControlHost.StartAsync(new Turbine.Control.Api.ControlOptions
        {
            Port = 0, Dev = true, DataDirectory = temp.Path, ConfigureLogging = b => b.ClearProviders(),
            Dashboard = new DashboardOptions { GatewayModels = ["iris"] },
        });
        using var http = new HttpClient { BaseAddress = control.Url };
        var me = JsonDocument.Parse(await http.GetStringAsync("api/dashboard/me")).RootElement;
        Assert.Equal(["iris"], me.GetProperty("gatewayModels").EnumerateArray().Select(m => m.GetString()));
        using var other = await http.GetAsync("api/dashboard/tryit/_gateway/other");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Contains("does not route a model named 'other'", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var body = new StringContent("{\"instances\":[[1,2,3,4]]}", Encoding.UTF8, "application/json");
        using var noGateway = await http.PostAsync("api/dashboard/tryit/_gateway/iris/explain", body);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, noGateway.StatusCode); // listed, but this host runs no gateway
        Assert.Contains("GatewayModels", Assert.Single(new DashboardOptions { GatewayModels = ["a\nb"] }.Problems()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Payloads_AFifoNamedLikeALogFile_IsSkipped_TheCallDoesNotHang()
    {
        using var temp = new TempFolder("turbine-dashboard-fifo");
        var folder = temp.File("payloads");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, Turbine.Core.Payloads.FilePayloadSink.FilePrefix + "20260131T120000Z-0001" + Turbine.Core.Payloads.FilePayloadSink.FileExtension),
            "{\"id\":\"req-1\",\"model\":\"m\",\"start\":\"2026-01-31T12:00:00Z\",\"status\":\"ok\"}\n");
        var fifo = Path.Combine(folder, Turbine.Core.Payloads.FilePayloadSink.FilePrefix + "20260131T130000Z-0002" + Turbine.Core.Payloads.FilePayloadSink.FileExtension);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        await using var control = await Turbine.Control.ControlHost.StartAsync(new Turbine.Control.Api.ControlOptions
        {
            Port = 0, Dev = true, DataDirectory = temp.File("control"), ConfigureLogging = b => b.ClearProviders(),
            Dashboard = new DashboardOptions { PayloadLogDirectory = folder },
        });
        using var http = new HttpClient { BaseAddress = control.Url, Timeout = TimeSpan.FromSeconds(20) };
        var payloads = JsonDocument.Parse(await http.GetStringAsync("api/dashboard/payloads")).RootElement;
        Assert.Equal(["req-1"], payloads.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public void Quantile_InterpolatesInsideTheBucket()
    {
        var window = new WindowTraffic(100, 0, [1, 2, 4], [50, 40, 10, 0]);
        Assert.Equal(1.0, DashboardSampler.Quantile(window, 0.5)!.Value, 6);
        Assert.Equal(3.8, DashboardSampler.Quantile(window, 0.99)!.Value, 6);
        Assert.Null(DashboardSampler.Quantile(new WindowTraffic(0, 0, [1], [0, 0]), 0.5));
    }

    [Fact]
    public void Options_OutOfRange_AreNamed()
    {
        var problems = new DashboardOptions { SampleInterval = TimeSpan.FromMilliseconds(1), HistoryPoints = 1, MonitoringUrl = new Uri("ftp://x/") }.Problems();
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("SampleInterval", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("MonitoringUrl", StringComparison.Ordinal));
    }
}
