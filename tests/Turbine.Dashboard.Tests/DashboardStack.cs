using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Turbine.Client.Registry;
using Turbine.Control;
using Turbine.Control.Api;
using Turbine.Control.Dashboard;
using Turbine.Control.Reconciling;
using Turbine.Control.Runtime;
using Turbine.Core.Payloads;
using Turbine.Gateway;
using Turbine.Samples;

namespace Turbine.Dashboard.Tests;

/// <summary>
/// One real stack for the dashboard tests: a registry with reader and writer tokens holding the sample <c>simple</c>
/// (and <c>iris</c>, deployed too, with its reference profile in the registry card for try-it explanations)
/// model (v1 in Production, v2 registered; attacker-style metadata), a control service that accepts the registry's
/// tokens, its gateway and a deployment <c>simple</c> from <c>registry://simple@production</c> with one ready
/// <c>turbine serve</c> replica, a payload-log folder with a record whose model name is an XSS payload, and headless
/// Chromium. Replicas are stopped with the control plane (by pid, through the runtime).
/// </summary>
public sealed class DashboardStack : IAsyncLifetime
{
    /// <summary>What an attacker would put in metadata: shown as text, never parsed as HTML.</summary>
    public const string Xss = "<img src=x onerror=\"window.__xss=1\"><script>window.__xss=2</script>";

    public const string Deployment = "simple";

    /// <summary>A tabular deployment (the iris sample, its reference profile in the registry card, payload_log all) for try-it explanations and replica payload logs.</summary>
    public const string IrisDeployment = "iris";

    private readonly TempFolder _temp = new("turbine-dashboard-test");
    private IPlaywright? _playwright;

    public RegistryHarness Registry { get; private set; } = null!;

    public ControlHost Control { get; private set; } = null!;

    public MonitoringStub Monitoring { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string Reader => Registry.Tokens["reader"];

    public string Writer => Registry.Tokens["writer"];

    /// <summary>Moving a version to Production takes the registry's admin role.</summary>
    public string Admin => Registry.Tokens["admin"];

    public string PayloadDirectory => _temp.File("payloads");

    /// <summary>The control service's data folder (its runtime's replica folders are under <c>replicas/</c>).</summary>
    public string ControlDataDirectory => _temp.File("control");

    public Uri Gateway => ((ControlPlane)Control.Services.GetService(typeof(ControlPlane))!).Gateway!.HttpAddress;

    /// <summary>Where the browser tests save their screenshots (TURBINE_DASHBOARD_SCREENSHOTS, else screenshots/ in the test output).</summary>
    public static string ScreenshotDirectory { get; } =
        Environment.GetEnvironmentVariable("TURBINE_DASHBOARD_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        Registry = await RegistryHarness.StartAsync(("reader", "reader"), ("writer", "writer"), ("admin", "admin"));
        var repository = _temp.File("models");
        SampleRepository.CreateModel(repository, "simple");
        using (var client = new RegistryClient(Registry.Url, Admin))
        {
            await client.CreateModelAsync(new NewRegisteredModel { Name = "simple", Description = "sums and differences " + Xss, Owner = "ml-team", Tags = new Dictionary<string, string> { ["team"] = Xss } });
            var artifact = await client.UploadAsync(Path.Combine(repository, "simple"));
            await client.CreateVersionAsync("simple", new NewModelVersion
            {
                Artifact = artifact,
                Description = "first training run",
                Metrics = new Dictionary<string, double> { ["accuracy"] = 0.931 },
                Params = new Dictionary<string, string> { ["learning_rate"] = "0.01", ["note"] = Xss },
                Lineage = new RegistryLineage { DatasetUri = "s3://datasets/sums/train.parquet", RunId = "run-" + Xss, CodeRepository = "javascript:window.__xss=3" },
            });
            await client.TransitionStageAsync("simple", 1, "Production");
            await client.CreateVersionAsync("simple", new NewModelVersion
            {
                Artifact = artifact,
                Description = "retrained",
                Metrics = new Dictionary<string, double> { ["accuracy"] = 0.947 },
                Lineage = new RegistryLineage { ParentVersion = 1, DatasetUri = "s3://datasets/sums/train-v2.parquet" },
            });
        }

        await RegisterIrisAsync(repository);
        WritePayloads();
        Monitoring = await MonitoringStub.StartAsync();
        var data = _temp.File("control");
        var quiet = (Action<ILoggingBuilder>)(b => b.SetMinimumLevel(LogLevel.Warning));
        var options = new ControlOptions
        {
            Port = 0,
            RegistryUrl = Registry.Url,
            DataDirectory = data,
            ConfigureLogging = quiet,
            Dashboard = new DashboardOptions { SampleInterval = TimeSpan.FromMilliseconds(500), PayloadLogDirectory = PayloadDirectory, MonitoringUrl = Monitoring.Url },
        };
        var plane = new ControlPlaneOptions
        {
            Gateway = new GatewayOptions { HttpPort = 0, GrpcPort = 0, ShutdownTimeout = TimeSpan.FromSeconds(5), ConfigureLogging = quiet },
            Reconciler = new ReconcilerOptions { TickInterval = TimeSpan.FromMilliseconds(500), ResolveInterval = TimeSpan.FromMilliseconds(500), DrainGrace = TimeSpan.FromSeconds(5) },
            Runtime = new LocalRuntimeOptions { WorkDirectory = Path.Combine(data, "replicas"), RegistryCacheDirectory = Path.Combine(data, "registry-cache"), RegistryToken = Reader, StartTimeout = TimeSpan.FromSeconds(60) },
            Resolver = new ResolverOptions { CacheDirectory = Path.Combine(data, "artifacts"), RegistryUrl = Registry.Url, RegistryToken = Reader },
        };
        Control = await ControlHost.StartAsync(options, s => ControlPlane.Register(s, plane, data), ControlPlane.MapMetrics);
        using (var control = new ControlClient(Control.Url, Writer))
        {
            await control.ApplyAsync(SpecYaml);
            await control.ApplyAsync(IrisSpecYaml);
            foreach (var name in new[] { Deployment, IrisDeployment })
            {
                DeploymentResponse? last = null;
                await Poll.UntilOrFailAsync(async () => (last = await control.GetAsync(name)).Status.ReadyReplicas > 0, TimeSpan.FromSeconds(90),
                    () => $"the deployment {name} never turned ready: {last?.Status.Phase} {last?.Status.Message}", TimeSpan.FromMilliseconds(200));
            }
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Control is not null)
        {
            await Control.DisposeAsync();
        }

        if (Registry is not null)
        {
            await Registry.DisposeAsync();
        }

        if (Monitoring is not null)
        {
            await Monitoring.DisposeAsync();
        }

        _temp.Dispose();
    }

    private const string SpecYaml = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: simple
          annotations:
            turbine.dev/canary-steps: "50,100"
            turbine.dev/analysis-window: "10m"
        spec:
          predictor:
            minReplicas: 1
            maxReplicas: 2
            scaleTarget: 4
            model:
              modelFormat:
                name: onnx
              storageUri: registry://simple@production
        """;

    private const string IrisSpecYaml = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: iris
        spec:
          predictor:
            minReplicas: 1
            maxReplicas: 1
            model:
              modelFormat:
                name: onnx
              storageUri: registry://iris@production
        """;

    /// <summary>The iris sample's reference profile (its training data), as <c>turbine up</c> stores it.</summary>
    public static Turbine.Monitoring.Profiles.ReferenceProfile IrisProfile()
    {
        var (rows, _) = SampleRepository.IrisTrainingData();
        var columns = SampleRepository.IrisFeatureNames.Select((name, j) => Turbine.Monitoring.Data.FeatureColumn.Numeric(name, [.. rows.Select(r => (double)r[j])])).ToList();
        return Turbine.Monitoring.Profiles.ProfileBuilder.Build(new Turbine.Monitoring.Data.FeatureTable(columns));
    }

    /// <summary>iris v1 in Production, logging its payloads, with its reference profile in the version's card.</summary>
    private async Task RegisterIrisAsync(string repository)
    {
        SampleRepository.CreateModel(repository, "iris");
        File.AppendAllText(Path.Combine(repository, "iris", "config.pbtxt"), "\nparameters { key: \"payload_log\" value: { string_value: \"all\" } }\n");
        using var client = new RegistryClient(Registry.Url, Admin);
        await client.CreateModelAsync(new NewRegisteredModel { Name = "iris", Description = "iris classifier" });
        var artifact = await client.UploadAsync(Path.Combine(repository, "iris"));
        await client.CreateVersionAsync("iris", new NewModelVersion { Artifact = artifact, Description = "trained on the iris sample" });
        await client.TransitionStageAsync("iris", 1, "Production");
        await Turbine.Monitoring.Registry.ProfileRegistry.SaveAsync(client, "iris:1", IrisProfile());
    }

    /// <summary>Sends <paramref name="count"/> one-row iris inferences through the gateway with ids <c>iris-N</c>; returns how many answered 200.</summary>
    public async Task<int> LoadIrisAsync(int count)
    {
        using var http = new HttpClient { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(30) };
        var ok = 0;
        for (var i = 0; i < count; i++)
        {
            var body = "{\"id\":\"iris-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\",\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}";
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("v2/models/iris/infer", content);
            ok += response.IsSuccessStatusCode ? 1 : 0;
        }

        return ok;
    }

    /// <summary>A JSON inference request for <c>simple</c>: INPUT0 = 0..15, INPUT1 = ones.</summary>
    public const string SimpleRequest =
        "{\"inputs\":[{\"name\":\"INPUT0\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}," +
        "{\"name\":\"INPUT1\",\"shape\":[1,16],\"datatype\":\"INT32\",\"data\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}";

    /// <summary>Sends <paramref name="count"/> inferences through the gateway; returns how many answered 200.</summary>
    public async Task<int> LoadAsync(int count)
    {
        using var http = new HttpClient { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(30) };
        var ok = 0;
        for (var i = 0; i < count; i++)
        {
            using var content = new StringContent(SimpleRequest, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("v2/models/simple/infer", content);
            ok += response.IsSuccessStatusCode ? 1 : 0;
        }

        return ok;
    }

    /// <summary>An HTTP client on the control service with <paramref name="token"/>.</summary>
    public HttpClient Http(string? token)
    {
        var http = new HttpClient { BaseAddress = Control.Url, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private void WritePayloads()
    {
        Directory.CreateDirectory(PayloadDirectory);
        var xssModel = System.Text.Json.JsonSerializer.Serialize(Xss);
        var lines = new[]
        {
            "{\"id\":\"req-1\",\"model\":\"simple\",\"version\":\"1\",\"start\":\"2026-01-31T12:00:00.0000000Z\",\"end\":\"2026-01-31T12:00:00.0010000Z\",\"latency_us\":1000,\"status\":\"ok\",\"inputs\":[],\"outputs\":[]}",
            "{\"id\":\"req-2\",\"model\":\"simple\",\"version\":\"1\",\"start\":\"2026-01-31T12:01:00.0000000Z\",\"end\":\"2026-01-31T12:01:00.0020000Z\",\"latency_us\":2000,\"status\":\"InvalidArgument\",\"error\":\"input 'INPUT0': expected shape [-1,16], got [1,15]\"}",
            "{\"id\":\"req-3\",\"model\":" + xssModel + ",\"version\":\"7\",\"start\":\"2026-01-31T12:02:00.0000000Z\",\"end\":\"2026-01-31T12:02:00.0030000Z\",\"latency_us\":3000,\"status\":\"ok\"}",
            "not json at all",
        };
        File.WriteAllText(Path.Combine(PayloadDirectory, FilePayloadSink.FilePrefix + "20260131T120000Z-0001" + FilePayloadSink.FileExtension), string.Join('\n', lines) + "\n");
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardStack>
{
    public const string Name = "dashboard stack";
}
