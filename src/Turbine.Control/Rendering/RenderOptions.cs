using System.Reflection;

namespace Turbine.Control.Rendering;

/// <summary>
/// The cluster facts a deployment spec does not hold, for <see cref="ManifestRenderer"/>: where objects go, which image
/// runs, how the autoscaler reads metrics and how the model is fetched. Every default is documented in docs/kubernetes.md.
/// </summary>
public sealed record RenderOptions
{
    /// <summary>The image every rendered container runs: <c>ghcr.io/turbine-serving/turbine:VERSION</c> of this build.</summary>
    public static readonly string DefaultImage = "ghcr.io/turbine-serving/turbine:" + ProductVersion();

    /// <summary>KServe's storage initializer, used as an init container to fetch <c>s3://</c> models for the kubernetes target.</summary>
    public const string DefaultStorageInitializerImage = "kserve/storage-initializer:v0.15.2";

    /// <summary>The Prometheus Operator's default service for a Prometheus named <c>k8s</c>/any in <c>monitoring</c>.</summary>
    public static readonly Uri DefaultPrometheusUrl = new("http://prometheus-operated.monitoring.svc:9090");

    public RenderTarget Target { get; init; } = RenderTarget.Kubernetes;

    /// <summary><c>metadata.namespace</c> of every object (and the namespace in Prometheus queries); null leaves it to kubectl.</summary>
    public string? Namespace { get; init; }

    public string Image { get; init; } = DefaultImage;

    public RenderAutoscaler Autoscaler { get; init; } = RenderAutoscaler.Keda;

    /// <summary>The Prometheus KEDA queries (the kubernetes target).</summary>
    public Uri PrometheusUrl { get; init; } = DefaultPrometheusUrl;

    /// <summary>The registry <c>registry://</c> storageUris name (the kubernetes target); required for them.</summary>
    public Uri? RegistryUrl { get; init; }

    /// <summary>A Secret with key <c>token</c>: the registry token the server reads (<c>TURBINE_REGISTRY_TOKEN</c>).</summary>
    public string? RegistryTokenSecret { get; init; }

    /// <summary>A Secret whose keys become the storage initializer's environment (<c>AWS_ACCESS_KEY_ID</c>, …) for <c>s3://</c>.</summary>
    public string? S3Secret { get; init; }

    public string StorageInitializerImage { get; init; } = DefaultStorageInitializerImage;

    private static string ProductVersion()
    {
        var version = typeof(RenderOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
