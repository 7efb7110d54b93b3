using System.Text.Json.Nodes;

namespace Turbine.Control.Rendering;

/// <summary>
/// The parts of a <c>turbine serve</c> container every rendered object shares (the KServe runtime, the kubernetes
/// Deployment; deploy/kserve and the Helm chart write the same values): KServe's Triton ports (8080 HTTP, 9000 gRPC,
/// 8002 metrics), the health probes, a non-root read-only container with an emptyDir for <c>/tmp</c>.
/// </summary>
public static class TurbineContainer
{
    public const int HttpPort = 8080;
    public const int GrpcPort = 9000;
    public const int MetricsPort = 8002;

    /// <summary>Where KServe's storage initializer leaves the model, and where Turbine serves it from.</summary>
    public const string ModelMountPath = "/mnt/models";

    public const string LivePath = "/v2/health/live";
    public const string ReadyPath = "/v2/health/ready";

    /// <summary>The user the image runs as (the Dockerfile's <c>USER 1000</c>).</summary>
    public const int UserId = 1000;

    /// <summary><c>turbine serve</c> on all interfaces with the KServe ports, strict: not ready unless every model loaded, exit if one fails.</summary>
    /// <param name="source">The model source flags: <c>--model-repository PATH</c> or <c>--registry URL --model REF</c>.</param>
    public static JsonArray ServeArgs(params string[] source) => Strings(
        ["serve", .. source, "--host", "0.0.0.0", "--http-port", Text(HttpPort), "--grpc-port", Text(GrpcPort),
         "--metrics-port", Text(MetricsPort), "--strict-readiness", "true", "--exit-on-error", "true"]);

    /// <summary>Liveness on <c>/v2/health/live</c>, readiness on <c>/v2/health/ready</c>, a startup probe that allows 10 minutes of model loading.</summary>
    public static void AddProbes(JsonObject container)
    {
        container["livenessProbe"] = Probe(LivePath, period: 10, failures: 3);
        container["readinessProbe"] = Probe(ReadyPath, period: 5, failures: 3);
        container["startupProbe"] = Probe(LivePath, period: 5, failures: 120);
    }

    public static JsonObject SecurityContext() => new()
    {
        ["runAsNonRoot"] = true,
        ["runAsUser"] = UserId,
        ["runAsGroup"] = UserId,
        ["allowPrivilegeEscalation"] = false,
        ["readOnlyRootFilesystem"] = true,
        ["capabilities"] = new JsonObject { ["drop"] = Strings(["ALL"]) },
    };

    /// <summary>The pod-level context: the same user, the volumes' group, the runtime's default seccomp profile.</summary>
    public static JsonObject PodSecurityContext() => new()
    {
        ["runAsNonRoot"] = true,
        ["runAsUser"] = UserId,
        ["runAsGroup"] = UserId,
        ["fsGroup"] = UserId,
        ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
    };

    public static JsonObject Port(string name, int port) => new() { ["name"] = name, ["containerPort"] = port, ["protocol"] = "TCP" };

    /// <summary>The scratch volume a read-only root filesystem needs (.NET and ONNX Runtime write to <c>/tmp</c>).</summary>
    public static JsonObject TmpVolume() => new() { ["name"] = "tmp", ["emptyDir"] = new JsonObject { ["sizeLimit"] = "1Gi" } };

    public static JsonObject Mount(string volume, string path, bool readOnly = false)
    {
        var mount = new JsonObject { ["name"] = volume, ["mountPath"] = path };
        if (readOnly)
        {
            mount["readOnly"] = true;
        }

        return mount;
    }

    /// <summary>The Prometheus annotations: KServe's <c>prometheus.kserve.io/*</c> and the common <c>prometheus.io/*</c>.</summary>
    public static JsonObject PrometheusAnnotations() => new()
    {
        ["prometheus.kserve.io/port"] = Text(MetricsPort),
        ["prometheus.kserve.io/path"] = "/metrics",
        ["prometheus.io/scrape"] = "true",
        ["prometheus.io/port"] = Text(MetricsPort),
        ["prometheus.io/path"] = "/metrics",
    };

    /// <summary>
    /// The Turbine <c>ServingRuntime</c> (namespaced) or <c>ClusterServingRuntime</c> named <c>turbine</c>: onnx and triton
    /// formats with autoSelect at priority 2 (above KServe's Triton runtime at 1, so Turbine is picked for them), the Open
    /// Inference Protocol over REST and gRPC, <c>/mnt/models</c>. No ports: KServe gives the container 8080 (and 9000,
    /// named h2c, where an InferenceService asks for grpc-v2).
    /// deploy/kserve/*.yaml hold the same objects for this build's image (a test compares them).
    /// </summary>
    /// <param name="kind"><c>ServingRuntime</c> or <c>ClusterServingRuntime</c>.</param>
    /// <param name="image">The image the runtime's container runs.</param>
    /// <param name="ns">The namespace of a <c>ServingRuntime</c>; null for none.</param>
    public static JsonObject ServingRuntime(string kind, string image, string? ns)
    {
        var container = new JsonObject
        {
            ["name"] = "kserve-container",
            ["image"] = image,
            ["args"] = ServeArgs("--model-repository", ModelMountPath),
        };
        container["resources"] = Resources("1", "2Gi", "4Gi");
        container["securityContext"] = SecurityContext();
        container["volumeMounts"] = new JsonArray(Mount("tmp", "/tmp"));
        AddProbes(container);
        return new JsonObject
        {
            ["apiVersion"] = "serving.kserve.io/v1alpha1",
            ["kind"] = kind,
            ["metadata"] = Metadata("turbine", ns, labels: null),
            ["spec"] = new JsonObject
            {
                ["annotations"] = PrometheusAnnotations(),
                ["supportedModelFormats"] = new JsonArray(
                    Format("onnx", "1"),
                    Format("triton", "2")),
                ["protocolVersions"] = Strings(["v2", "grpc-v2"]),
                ["containers"] = new JsonArray(container),
                ["volumes"] = new JsonArray(TmpVolume()),
            },
        };

        static JsonObject Format(string name, string version) => new()
        {
            ["name"] = name,
            ["version"] = version,
            ["autoSelect"] = true,
            ["priority"] = 2,
        };
    }

    public static JsonObject Resources(string cpu, string memoryRequest, string memoryLimit) => new()
    {
        ["requests"] = new JsonObject { ["cpu"] = cpu, ["memory"] = memoryRequest },
        ["limits"] = new JsonObject { ["memory"] = memoryLimit },
    };

    public static JsonObject Metadata(string name, string? ns, JsonObject? labels)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        if (labels is not null)
        {
            metadata["labels"] = labels;
        }

        return metadata;
    }

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);

    public static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject Probe(string path, int period, int failures) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = path, ["port"] = HttpPort },
        ["periodSeconds"] = period,
        ["timeoutSeconds"] = 2,
        ["failureThreshold"] = failures,
    };
}
