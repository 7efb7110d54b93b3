namespace Turbine.Control.Specs;

/// <summary>
/// The field lists of the parts of an <c>InferenceService</c> Turbine reads, taken from the v1beta1 CRD's
/// <c>openAPIV3Schema</c> (KServe's <c>serving.kserve.io_inferenceservices.yaml</c>): what Turbine reads, what it accepts and
/// ignores (Kubernetes-only pod and container fields, KServe features run differently here) and what it refuses because
/// ignoring it would change what is served.
/// </summary>
internal static class InferenceServiceFields
{
    private const string Pod = "a Kubernetes pod field";
    private const string Container = "a Kubernetes container field";
    private const string Metadata = "Kubernetes object metadata";

    public static readonly string[] Root = ["apiVersion", "kind", "metadata", "spec"];

    public static readonly Dictionary<string, string> RootIgnored = new(StringComparer.Ordinal)
    {
        ["status"] = "written by the controller, not by the user",
    };

    public static readonly string[] MetadataFields = ["name", "annotations"];

    public static readonly Dictionary<string, string> MetadataIgnored = Ignore(Metadata,
        "namespace", "labels", "generateName", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "ownerReferences", "finalizers", "managedFields", "selfLink");

    public static readonly string[] Spec = ["predictor"];

    public static readonly Dictionary<string, string> SpecUnsupported = new(StringComparer.Ordinal)
    {
        ["transformer"] = "a transformer is not supported by Turbine: it serves the predictor only",
        ["explainer"] = "an explainer is not supported by Turbine: it serves the predictor only",
        ["canary"] = "spec.canary is not supported; roll out with spec.predictor.canaryTrafficPercent and turbine.dev/canary-steps",
    };

    public static readonly string[] Predictor =
        ["model", "minReplicas", "maxReplicas", "scaleTarget", "scaleMetric", "containerConcurrency", "canaryTrafficPercent", "timeout"];

    public static readonly Dictionary<string, string> PredictorIgnored = Merge(
        Ignore(Pod,
            "activeDeadlineSeconds", "affinity", "automountServiceAccountToken", "containers", "dnsConfig", "dnsPolicy",
            "enableServiceLinks", "hostAliases", "hostIPC", "hostNetwork", "hostPID", "hostUsers", "hostname", "hostnameOverride",
            "imagePullSecrets", "initContainers", "nodeName", "nodeSelector", "os", "overhead", "preemptionPolicy", "priority",
            "priorityClassName", "readinessGates", "resourceClaims", "resources", "restartPolicy", "runtimeClassName",
            "schedulerName", "schedulingGates", "securityContext", "serviceAccount", "serviceAccountName", "setHostnameAsFQDN",
            "shareProcessNamespace", "subdomain", "terminationGracePeriodSeconds", "tolerations", "topologySpreadConstraints",
            "volumes"),
        Ignore("Kubernetes metadata of the predictor's pods", "labels", "annotations"),
        Ignore("a Kubernetes deployment setting; Turbine rolls out with turbine.dev/canary-steps", "deploymentStrategy"),
        Ignore("Kubernetes HPA/KEDA settings; Turbine's autoscaler reads scaleMetric and scaleTarget", "autoScaling", "scaleMetricType"),
        Ignore("a KServe pod setting with no meaning for Turbine's local processes", "storageContainerName", "workerSpec", "name"),
        Ignore("a KServe agent feature; Turbine batches in the server (model config) and logs in the gateway", "batcher", "logger"));

    public static readonly Dictionary<string, string> PredictorUnsupported = Merge(
        Unsupport("the framework-specific predictor form is not supported; write predictor.model with modelFormat.name (onnx or triton)",
            "onnx", "triton", "sklearn", "xgboost", "lightgbm", "tensorflow", "pytorch", "paddle", "pmml", "huggingface"),
        Unsupport("several storage URIs are not supported; give one model.storageUri", "storageUris"));

    public static readonly string[] Model = ["modelFormat", "storageUri", "runtime", "protocolVersion"];

    public static readonly Dictionary<string, string> ModelIgnored = Merge(
        Ignore(Container,
            "args", "command", "env", "envFrom", "image", "imagePullPolicy", "lifecycle", "livenessProbe", "name", "ports",
            "readinessProbe", "resizePolicy", "resources", "restartPolicy", "restartPolicyRules", "securityContext", "startupProbe",
            "stdin", "stdinOnce", "terminationMessagePath", "terminationMessagePolicy", "tty", "volumeDevices", "volumeMounts",
            "workingDir"),
        Ignore("a KServe runtime setting; Turbine picks its backend from modelFormat", "runtimeVersion", "confidential"));

    public static readonly Dictionary<string, string> ModelUnsupported = new(StringComparer.Ordinal)
    {
        ["storage"] = "the storage spec (a storage-config secret key) is not supported; give storageUri",
    };

    public static readonly string[] ModelFormat = ["name", "version"];

    private static Dictionary<string, string> Ignore(string why, params string[] names) =>
        names.ToDictionary(n => n, _ => why, StringComparer.Ordinal);

    private static Dictionary<string, string> Unsupport(string why, params string[] names) => Ignore(why, names);

    private static Dictionary<string, string> Merge(params Dictionary<string, string>[] parts) =>
        parts.SelectMany(p => p).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
