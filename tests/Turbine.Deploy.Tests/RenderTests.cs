using System.Text.Json.Nodes;
using Turbine.Control.Rendering;
using Turbine.Control.Specs;

namespace Turbine.Deploy.Tests;

/// <summary>
/// <see cref="ManifestRenderer"/>: what it renders for each target validates (KServe CRDs; Kubernetes, KEDA and
/// Prometheus-Operator schemas; the gateway's loader), maps the spec's fields, names what it cannot map, and refuses
/// what the target cannot run with the reason.
/// </summary>
public sealed class RenderTests
{
    internal const string Spec = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: resnet
          annotations:
            example.com/team: vision
            turbine.dev/canary-steps: "20,100"
            turbine.dev/scale-to-zero-grace: 90s
        spec:
          predictor:
            minReplicas: 0
            maxReplicas: 5
            scaleTarget: 8
            timeout: 30
            canaryTrafficPercent: 10
            model:
              modelFormat: {name: onnx, version: "1"}
              storageUri: s3://models/resnet18
        """;

    private static string With(string from, string to) => Spec.Replace(from, to, StringComparison.Ordinal);

    private static RenderResult Render(string yaml, RenderOptions options)
    {
        var result = ManifestRenderer.Render(yaml, "svc.yaml", options);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result;
    }

    [Fact]
    public void KServe_InferenceServiceAndRuntime_ValidByStrictCrdsAndMapped()
    {
        var result = Render(Spec, new RenderOptions { Target = RenderTarget.KServe, Namespace = "models" });
        Assert.Equal(["ServingRuntime", "InferenceService"], result.Objects.Select(o => (string)o["kind"]!));
        foreach (var obj in result.Objects)
        {
            var check = CrdSchema.Validate(CrdSchema.ForKServeKind((string)obj["kind"]!).StrictSchema, obj);
            Assert.True(check.IsValid, CrdSchema.Describe(check));
            Assert.Equal("models", (string?)obj["metadata"]!["namespace"]);
        }

        var isvc = Manifests.Normalize(result.Objects[1]);
        var predictor = isvc["spec"]!["predictor"]!;
        Assert.Equal((0, 5, 8, 10, 30), ((int)predictor["minReplicas"]!, (int)predictor["maxReplicas"]!, (int)predictor["scaleTarget"]!,
            (int)predictor["canaryTrafficPercent"]!, (int)predictor["timeout"]!));
        Assert.Equal("concurrency", (string?)predictor["scaleMetric"]);
        Assert.Equal(("turbine", "v2", "s3://models/resnet18", "onnx", "1"), ((string?)predictor["model"]!["runtime"], (string?)predictor["model"]!["protocolVersion"],
            (string?)predictor["model"]!["storageUri"], (string?)predictor["model"]!["modelFormat"]!["name"], (string?)predictor["model"]!["modelFormat"]!["version"]));
        var annotations = isvc["metadata"]!["annotations"]!.AsObject();
        Assert.Equal("vision", (string?)annotations["example.com/team"]);
        Assert.Equal("90s", (string?)annotations["autoscaling.knative.dev/scale-to-zero-pod-retention-period"]);
        Assert.DoesNotContain(annotations, a => a.Key.StartsWith("turbine.dev/", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.Contains("turbine.dev/canary-steps", StringComparison.Ordinal));

        // The rendered InferenceService is itself a Turbine spec: apply would accept it.
        var back = InferenceServiceParser.Parse(ManifestYaml.Document(isvc), "rendered");
        Assert.True(back.Succeeded, string.Join("\n", back.Errors));
        Assert.Equal(8, back.Spec!.Predictor.ScaleTarget);
    }

    [Fact]
    public void KServe_FileOrRegistryUri_RefusedWithTheReason()
    {
        var file = ManifestRenderer.Render(With("s3://models/resnet18", "file:///srv/models/resnet"), "svc.yaml", new RenderOptions { Target = RenderTarget.KServe });
        Assert.Empty(file.Objects);
        Assert.Contains(file.Errors, e => e.Contains("storage initializer cannot fetch it", StringComparison.Ordinal));
        var registry = ManifestRenderer.Render(With("s3://models/resnet18", "registry://resnet@production"), "svc.yaml", new RenderOptions { Target = RenderTarget.KServe });
        Assert.Contains(registry.Errors, e => e.Contains("registry", StringComparison.Ordinal) && e.Contains("s3://", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kubernetes_KedaScaleToZero_ObjectsValidateAndMapTheSpec()
    {
        var result = Render(Spec, new RenderOptions { Namespace = "models", S3Secret = "models-s3" });
        Assert.Equal(["Deployment", "Service", "ScaledObject", "PodMonitor", "ConfigMap"], result.Objects.Select(o => (string)o["kind"]!));
        var (code, lines) = await DeployTools.ValidateAsync(ManifestYaml.Write(result.Objects, result.Notes));
        Assert.True(code == 0, string.Join("\n", lines));
        Assert.Equal("5 passed, 0 failed", lines[^1]);

        var deployment = Manifests.Normalize(result.Objects[0]);
        Assert.Equal(0, (int)deployment["spec"]!["replicas"]!);
        var container = Manifests.Container(deployment);
        Assert.Equal("/mnt/models", Manifests.Flag(Manifests.Args(container), "--model-repository"));
        var init = deployment["spec"]!["template"]!["spec"]!["initContainers"]![0]!;
        Assert.Equal(["s3://models/resnet18", "/mnt/models"], init["args"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("models-s3", (string?)init["envFrom"]![0]!["secretRef"]!["name"]);
        Assert.Equal("vision", (string?)deployment["metadata"]!["annotations"]!["example.com/team"]);

        var scaled = Manifests.Normalize(result.Objects[2])["spec"]!;
        Assert.Equal((0, 5, 90), ((int)scaled["minReplicaCount"]!, (int)scaled["maxReplicaCount"]!, (int)scaled["cooldownPeriod"]!));
        Assert.Equal("8", (string?)scaled["triggers"]![0]!["metadata"]!["threshold"]);
        Assert.Contains("namespace=\"models\",pod=~\"resnet-[a-z0-9]+-[a-z0-9]+\"", (string)scaled["triggers"]![0]!["metadata"]!["query"]!, StringComparison.Ordinal);
        Assert.Equal("sum(rate(turbine_gateway_requests_total{model=\"resnet\"}[1m]))", (string?)scaled["triggers"]![1]!["metadata"]!["query"]);

        var gateway = Manifests.Gateway((string)result.Objects[4]["data"]![ManifestRenderer.GatewayConfigKey]!);
        Assert.Equal("http://resnet.models.svc:8080", gateway.Pools["resnet"].Replicas.Single().Http);
        Assert.Equal("resnet", gateway.Models["resnet"].Pool);

        foreach (var field in new[] { "canaryTrafficPercent", "timeout", "turbine.dev/canary-steps" })
        {
            Assert.Contains(result.Notes, n => n.Contains(field, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("rps", RenderAutoscaler.Keda, "ScaledObject")]
    [InlineData("cpu", RenderAutoscaler.Keda, "ScaledObject")]
    [InlineData("memory", RenderAutoscaler.Hpa, "HorizontalPodAutoscaler")]
    [InlineData("cpu", RenderAutoscaler.Hpa, "HorizontalPodAutoscaler")]
    public async Task Kubernetes_MetricAndAutoscaler_ObjectsValidate(string metric, RenderAutoscaler autoscaler, string kind)
    {
        var yaml = With("minReplicas: 0", "minReplicas: 2").Replace("scaleTarget: 8", $"scaleTarget: 60\n    scaleMetric: {metric}", StringComparison.Ordinal)
            .Replace("storageUri: s3://models/resnet18", "storageUri: registry://resnet@production", StringComparison.Ordinal);
        var result = Render(yaml, new RenderOptions { Autoscaler = autoscaler, RegistryUrl = new Uri("http://registry.models.svc:8080"), RegistryTokenSecret = "registry-token" });
        var scaler = Manifests.Normalize(Manifests.Single(result.Objects, kind));
        var (code, lines) = await DeployTools.ValidateAsync(ManifestYaml.Write(result.Objects, []));
        Assert.True(code == 0, string.Join("\n", lines));

        var args = Manifests.Args(Manifests.Container(result.Objects[0]));
        Assert.Equal(("http://registry.models.svc:8080/", "resnet@Production"), (Manifests.Flag(args, "--registry"), Manifests.Flag(args, "--model")));
        if (kind == "HorizontalPodAutoscaler")
        {
            Assert.Equal(metric, (string?)scaler["spec"]!["metrics"]![0]!["resource"]!["name"]);
            Assert.Equal(60, (int)scaler["spec"]!["metrics"]![0]!["resource"]!["target"]!["averageUtilization"]!);
        }
        else
        {
            var trigger = scaler["spec"]!["triggers"]!.AsArray().Single()!;
            Assert.Equal(metric == "rps" ? "prometheus" : metric, (string?)trigger["type"]);
        }
    }

    [Theory]
    [InlineData("minReplicas: 0", RenderAutoscaler.Hpa, "needs KEDA")]
    [InlineData("minReplicas: 1\n    scaleMetric: cpu", RenderAutoscaler.Hpa, null)]
    [InlineData("minReplicas: 0\n    scaleMetric: cpu", RenderAutoscaler.Keda, "never wake a deployment at zero")]
    public void Kubernetes_WhatTheAutoscalerCannotDo_Refused(string replace, RenderAutoscaler autoscaler, string? expected)
    {
        var result = ManifestRenderer.Render(With("minReplicas: 0", replace), "svc.yaml", new RenderOptions { Autoscaler = autoscaler });
        if (expected is null)
        {
            Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        }
        else
        {
            Assert.Empty(result.Objects);
            Assert.Contains(result.Errors, e => e.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Kubernetes_RegistryWithoutUrl_Refused()
    {
        var result = ManifestRenderer.Render(With("s3://models/resnet18", "registry://resnet@production"), "svc.yaml", new RenderOptions());
        Assert.Equal(["spec.predictor.model.storageUri: 'registry://resnet@production' needs --registry-url: the registry the server pulls from inside the cluster"], result.Errors);
    }

    [Fact]
    public void InvalidSpec_TheSameErrorsAsApply()
    {
        var bad = With("minReplicas: 0", "minReplicas: 9").Replace("name: onnx", "name: sklearn", StringComparison.Ordinal);
        var parsed = InferenceServiceParser.Parse(bad, "svc.yaml");
        var rendered = ManifestRenderer.Render(bad, "svc.yaml", new RenderOptions());
        Assert.Equal(2, parsed.Errors.Count);
        Assert.Equal(parsed.Errors.Select(e => e.ToString()), rendered.Errors);
        Assert.Empty(rendered.Objects);
    }

    [Fact]
    public void Yaml_StringsThatLookLikeOtherTypes_StayStrings()
    {
        var obj = new JsonObject { ["a"] = "8080", ["b"] = "true", ["c"] = "", ["d"] = "0.0.0.0", ["e"] = "yes", ["f"] = "line1\nline2", ["g"] = 3, ["h"] = "plain" };
        var back = CrdSchema.YamlToJson(ManifestYaml.Document(obj))!;
        Assert.True(JsonNode.DeepEquals(obj, back), back.ToJsonString());
    }
}
