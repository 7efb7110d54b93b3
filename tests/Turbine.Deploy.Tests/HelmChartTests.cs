using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Turbine.Deploy.Tests;

/// <summary>
/// deploy/helm/turbine: <c>helm lint</c> and <c>helm template</c> with each values file (defaults and ci/*.yaml), every
/// rendered object validated against the Kubernetes, KEDA and Prometheus-Operator schemas, and the settings the chart
/// promises checked in what it renders.
/// </summary>
public sealed partial class HelmChartTests
{
    public static TheoryData<string> ValuesFiles => new("", "ci/keda-values.yaml", "ci/keda-queue-values.yaml", "ci/hpa-values.yaml",
        "ci/external-values.yaml", "ci/gpu-values.yaml", "ci/batch-values.yaml");

    private static string[] Files(string values) => values.Length == 0 ? [] : [values];

    [Theory]
    [MemberData(nameof(ValuesFiles))]
    public async Task Lint_ValuesFile_Passes(string values)
    {
        var args = new List<string> { "lint", DeployTools.Chart, "--strict" };
        if (values.Length > 0)
        {
            args.AddRange(["-f", Path.Combine(DeployTools.Chart, values)]);
        }

        var (code, stdout, stderr) = await DeployTools.RunAsync(DeployTools.Helm, args);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ValuesFiles))]
    public async Task Template_ValuesFile_EveryObjectValidates(string values)
    {
        var (code, yaml, stderr) = await DeployTools.HelmTemplateAsync(Files(values));
        Assert.True(code == 0, stderr);
        var objects = Manifests.Objects(yaml);
        var (valid, lines) = await DeployTools.ValidateAsync(yaml);
        Assert.True(valid == 0, string.Join("\n", lines));
        Assert.Equal($"{objects.Count} passed, 0 failed", lines[^1]);
        Assert.Equal(objects.Count, lines.Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Template_Defaults_ServerAndGatewayWithProbesNonRootReadOnly()
    {
        var objects = Manifests.Objects((await DeployTools.HelmTemplateAsync([])).Stdout);
        Assert.Equal(["ConfigMap", "Deployment", "Deployment", "PodDisruptionBudget", "PodDisruptionBudget", "Service", "Service", "ServiceAccount"], Manifests.Kinds(objects));

        var server = Manifests.Single(objects, "Deployment", "-server");
        var container = Manifests.Container(server);
        var args = Manifests.Args(container);
        Assert.Equal("serve", args[0]);
        Assert.Equal("/models", Manifests.Flag(args, "--model-repository"));
        Assert.Equal("0.0.0.0", Manifests.Flag(args, "--host"));
        Assert.Equal(("8080", "9000", "8002"), (Manifests.Flag(args, "--http-port"), Manifests.Flag(args, "--grpc-port"), Manifests.Flag(args, "--metrics-port")));
        Assert.Equal(("true", "true"), (Manifests.Flag(args, "--strict-readiness"), Manifests.Flag(args, "--exit-on-error")));
        Assert.Equal("/v2/health/live", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/v2/health/ready", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("ghcr.io/turbine-serving/turbine:" + ProductVersion(), (string?)container["image"]);
        Assert.True((bool)container["securityContext"]!["readOnlyRootFilesystem"]!);
        Assert.True((bool)container["securityContext"]!["runAsNonRoot"]!);
        Assert.Equal(1000, (int)server["spec"]!["template"]!["spec"]!["securityContext"]!["runAsUser"]!);
        Assert.Contains(container["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == "/tmp");
        Assert.Contains(server["spec"]!["template"]!["spec"]!["volumes"]!.AsArray(), v => (string?)v!["name"] == "tmp" && v["emptyDir"] is not null);
        Assert.Null(container["resources"]!["limits"]!["nvidia.com/gpu"]);
        Assert.Equal(1, (int)server["spec"]!["replicas"]!);

        var gateway = Manifests.Container(Manifests.Single(objects, "Deployment", "-gateway"));
        Assert.Equal(["gateway", "--config", "/etc/turbine/gateway.yaml"], Manifests.Args(gateway)[..3]);
        Assert.True((bool)gateway["securityContext"]!["readOnlyRootFilesystem"]!);
    }

    [Fact]
    public async Task Template_GatewayConfigMap_LoadsInTheGatewayAndRoutesToTheServerService()
    {
        var objects = Manifests.Objects((await DeployTools.HelmTemplateAsync([])).Stdout);
        var config = Manifests.Gateway((string)Manifests.Single(objects, "ConfigMap")["data"]!["gateway.yaml"]!);
        var serverService = (string)Manifests.Single(objects, "Service", "-server")["metadata"]!["name"]!;
        Assert.Equal($"http://{serverService}:8080", config.Pools["server"].Replicas.Single().Http);
        Assert.Equal($"http://{serverService}:9000", config.Pools["server"].Replicas.Single().Grpc);
        Assert.Equal("server", config.Models["*"].Pool);
    }

    [Fact]
    public async Task Template_Keda_ScaleToZeroWakesOnTheGatewayAndScalesOnConcurrency()
    {
        var objects = Manifests.Objects((await DeployTools.HelmTemplateAsync(["ci/keda-values.yaml"])).Stdout);
        Assert.DoesNotContain(objects, o => (string?)o["kind"] == "HorizontalPodAutoscaler");
        var scaled = Manifests.Single(objects, "ScaledObject")["spec"]!;
        Assert.Equal(0, (int)scaled["minReplicaCount"]!);
        Assert.Equal(8, (int)scaled["maxReplicaCount"]!);
        var triggers = scaled["triggers"]!.AsArray();
        Assert.Equal(["load", "gateway"], triggers.Select(t => (string)t!["name"]!));
        Assert.Contains("nv_inference_request_duration_us", (string)triggers[0]!["metadata"]!["query"]!, StringComparison.Ordinal);
        Assert.Contains("turbine_gateway_requests_total", (string)triggers[1]!["metadata"]!["query"]!, StringComparison.Ordinal);
        Assert.Equal("20", (string?)triggers[0]!["metadata"]!["threshold"]);
        Assert.Equal("0", (string?)scaled["advanced"]!["scalingModifiers"]!["activationTarget"]);
        // The Deployment leaves replicas to KEDA.
        Assert.Null(Manifests.Single(objects, "Deployment", "-server")["spec"]!["replicas"]);
        // One monitor per component, each on the port that serves its /metrics: the server's metrics port, the gateway's HTTP port.
        foreach (var kind in new[] { "ServiceMonitor", "PodMonitor" })
        {
            var endpoints = kind == "ServiceMonitor" ? "endpoints" : "podMetricsEndpoints";
            Assert.Equal("metrics", (string?)Manifests.Single(objects, kind, "-server")["spec"]![endpoints]!.AsArray().Single()!["port"]);
            Assert.Equal("http", (string?)Manifests.Single(objects, kind, "-gateway")["spec"]![endpoints]!.AsArray().Single()!["port"]);
            Assert.Equal("gateway", (string?)Manifests.Single(objects, kind, "-gateway")["spec"]!["selector"]!["matchLabels"]!["app.kubernetes.io/component"]);
        }
    }

    [Fact]
    public async Task Template_KedaQueue_AtLeastOneReplicaNoGatewayTrigger()
    {
        var scaled = Manifests.Single(Manifests.Objects((await DeployTools.HelmTemplateAsync(["ci/keda-queue-values.yaml"])).Stdout), "ScaledObject")["spec"]!;
        var trigger = scaled["triggers"]!.AsArray().Single()!;
        Assert.StartsWith("sum(nv_inference_pending_request_count{", (string)trigger["metadata"]!["query"]!, StringComparison.Ordinal);
        Assert.Null(scaled["advanced"]);
        Assert.Equal(1, (int)scaled["minReplicaCount"]!);
    }

    [Fact]
    public async Task Template_Hpa_CpuTargetAndModelsFromAClaim()
    {
        var objects = Manifests.Objects((await DeployTools.HelmTemplateAsync(["ci/hpa-values.yaml"])).Stdout);
        var hpa = Manifests.Single(objects, "HorizontalPodAutoscaler")["spec"]!;
        Assert.Equal((2, 6, 70), ((int)hpa["minReplicas"]!, (int)hpa["maxReplicas"]!, (int)hpa["metrics"]![0]!["resource"]!["target"]!["averageUtilization"]!));
        var server = Manifests.Single(objects, "Deployment", "-server");
        Assert.Equal("/mnt/models", Manifests.Flag(Manifests.Args(Manifests.Container(server)), "--model-repository"));
        Assert.Contains(server["spec"]!["template"]!["spec"]!["volumes"]!.AsArray(), v => (string?)v!["persistentVolumeClaim"]?["claimName"] == "models");
    }

    [Fact]
    public async Task Template_External_RegistryReadsPostgresAndS3FromSecrets()
    {
        var objects = Manifests.Objects((await DeployTools.HelmTemplateAsync(["ci/external-values.yaml"])).Stdout);
        var registry = Manifests.Single(objects, "Deployment", "-registry");
        Assert.Equal(2, (int)registry["spec"]!["replicas"]!);
        var env = Manifests.Container(registry)["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!);
        Assert.Equal("turbine-registry-db", (string?)env["TURBINE_REGISTRY_DATABASE"]["valueFrom"]!["secretKeyRef"]!["name"]);
        Assert.Equal("turbine-registry-s3", (string?)env["TURBINE_S3_ACCESS_KEY"]["valueFrom"]!["secretKeyRef"]!["name"]);
        Assert.Equal("turbine-registry-s3", (string?)env["TURBINE_S3_SECRET_KEY"]["valueFrom"]!["secretKeyRef"]!["name"]);
        Assert.Equal("turbine-artifacts", (string?)env["TURBINE_S3_BUCKET"]["value"]);
        Assert.All(env.Values, e => Assert.True(e["value"] is null || !((string)e["name"]!).EndsWith("_KEY", StringComparison.Ordinal)));
        Assert.DoesNotContain(objects, o => (string?)o["kind"] == "PersistentVolumeClaim");

        var serverArgs = Manifests.Args(Manifests.Container(Manifests.Single(objects, "Deployment", "-server")));
        Assert.Equal("http://demo-turbine-registry:8080", Manifests.Flag(serverArgs, "--registry"));
        Assert.Equal(["fraud@production", "resnet18:3"], serverArgs.Select((a, i) => (a, i)).Where(p => p.a == "--model").Select(p => serverArgs[p.i + 1]));
    }

    [Fact]
    public async Task Template_Gpu_LimitsNvidiaGpuAndFetchesFromS3()
    {
        var objects = Manifests.Objects((await DeployTools.HelmTemplateAsync(["ci/gpu-values.yaml"])).Stdout);
        var server = Manifests.Single(objects, "Deployment", "-server");
        Assert.Equal(1, (int)Manifests.Container(server)["resources"]!["limits"]!["nvidia.com/gpu"]!);
        Assert.Equal("4Gi", (string?)Manifests.Container(server)["resources"]!["limits"]!["memory"]);
        var init = server["spec"]!["template"]!["spec"]!["initContainers"]![0]!;
        Assert.Equal(["s3://models/resnet18", "/mnt/models"], init["args"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("models-s3", (string?)init["envFrom"]![0]!["secretRef"]!["name"]);
    }

    [Fact]
    public async Task Template_Batch_IndexedJobOneShardPerIndexResumingAndMerging()
    {
        var objects = Manifests.Objects((await DeployTools.HelmTemplateAsync(["ci/batch-values.yaml"])).Stdout);
        var job = Manifests.Single(objects, "Job", "-batch");
        var spec = job["spec"]!;
        Assert.Equal(("Indexed", 8, 4), ((string?)spec["completionMode"], (int)spec["completions"]!, (int)spec["parallelism"]!));
        Assert.Equal("Never", (string?)spec["template"]!["spec"]!["restartPolicy"]);
        var container = Manifests.Container(job);
        var args = Manifests.Args(container);
        Assert.Equal(["batch", "run"], args[..2]);
        Assert.Equal("fraud@production", Manifests.Flag(args, "--model"));
        Assert.Equal("http://demo-turbine-registry:8080", Manifests.Flag(args, "--registry"));
        Assert.Equal("8", Manifests.Flag(args, "--shard-count"));
        Assert.Equal(("s3://transactions/2026-12-05.parquet", "s3://scores/2026-12-05.parquet"), (Manifests.Flag(args, "--input"), Manifests.Flag(args, "--output")));
        Assert.Contains("--resume", args);
        Assert.Contains("--merge", args);
        Assert.Equal("transaction_id", Manifests.Flag(args, "--keep-columns"));
        Assert.Equal("batch-s3", (string?)container["envFrom"]![0]!["secretRef"]!["name"]);
        Assert.Equal(true, (bool?)container["securityContext"]!["readOnlyRootFilesystem"]);

        // The flags the chart renders are ones `turbine batch run` accepts.
        var (code, _, stderr) = await DeployTools.RunAsync("dotnet", [DeployTools.TurbineDll, .. args, "--help"]);
        Assert.True(code == 0, stderr);
    }

    [Theory]
    [InlineData("batch.enabled=true", "batch.model is required")]
    [InlineData("server.gpu.count=-1", "server.gpu.count")]
    [InlineData("autoscaling.keda.metric=latency", "autoscaling.keda.metric")]
    [InlineData("server.replicaz=2", "replicaz")]
    [InlineData("server.model.source=s3", "server.model.s3.uri is required")]
    [InlineData("autoscaling.hpa.enabled=true,autoscaling.keda.enabled=true", "enable one of autoscaling.hpa and autoscaling.keda")]
    public async Task Template_BadValue_RefusedNamingIt(string set, string expected)
    {
        var (code, _, stderr) = await DeployTools.HelmTemplateAsync([], set);
        Assert.NotEqual(0, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_VersionIsTheProductVersion()
    {
        var chart = File.ReadAllText(Path.Combine(DeployTools.Chart, "Chart.yaml"));
        Assert.Contains($"version: {ProductVersion()}\n", chart, StringComparison.Ordinal);
        Assert.Contains($"appVersion: \"{ProductVersion()}\"\n", chart, StringComparison.Ordinal);
    }

    /// <summary>Directory.Build.props' Version: the one place versions come from.</summary>
    internal static string ProductVersion() =>
        VersionPattern().Match(File.ReadAllText(Path.Combine(DeployTools.Root, "Directory.Build.props"))).Groups[1].Value;

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionPattern();
}
