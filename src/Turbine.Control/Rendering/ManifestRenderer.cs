using System.Globalization;
using System.Text.Json.Nodes;
using Turbine.Control.Specs;

namespace Turbine.Control.Rendering;

/// <summary>
/// <c>turbine control render</c>: a deployment spec, parsed and validated by <see cref="InferenceServiceParser"/> exactly as
/// <c>apply</c> does, rendered to the objects a Kubernetes cluster runs. <see cref="RenderTarget.KServe"/> gives the
/// <c>InferenceService</c> on the Turbine <c>ServingRuntime</c>; <see cref="RenderTarget.Kubernetes"/> gives a Deployment,
/// Service, KEDA ScaledObject or HPA, PodMonitor and the gateway's route ConfigMap (ManifestRenderer.Kubernetes.cs).
/// Every spec field is mapped where the target has an equivalent; each one that is not becomes a note naming it.
/// </summary>
public static partial class ManifestRenderer
{
    /// <summary>The value of <c>app.kubernetes.io/managed-by</c> on every rendered object.</summary>
    public const string ManagedBy = "turbine-control-render";

    /// <summary>KEDA's default <c>maxReplicaCount</c>, used when the spec's maxReplicas is 0 (no bound), which Kubernetes cannot express.</summary>
    public const int UnboundedMaxReplicas = 100;

    /// <summary>Parses <paramref name="yaml"/> as <c>apply</c> would, then renders it; parse errors come back as the result's errors.</summary>
    /// <param name="yaml">One InferenceService document.</param>
    /// <param name="origin">What to call the text in messages.</param>
    /// <param name="options">The target and the cluster facts.</param>
    public static RenderResult Render(string yaml, string origin, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parsed = InferenceServiceParser.Parse(yaml, origin);
        if (!parsed.Succeeded)
        {
            return new RenderResult([], [.. parsed.Warnings.Select(w => w.ToString())], [.. parsed.Errors.Select(e => e.ToString())]);
        }

        var result = Render(parsed.Spec!, options);
        return result with { Notes = [.. parsed.Warnings.Select(w => w.ToString()), .. result.Notes] };
    }

    /// <summary>Renders a validated spec for <see cref="RenderOptions.Target"/>.</summary>
    /// <param name="spec">The deployment spec.</param>
    /// <param name="options">The target and the cluster facts.</param>
    public static RenderResult Render(DeploymentSpec spec, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var context = new Context(spec, options);
        if (options.Target == RenderTarget.KServe)
        {
            RenderKServe(context);
        }
        else
        {
            RenderKubernetes(context);
        }

        return context.Errors.Count > 0
            ? new RenderResult([], context.Notes, context.Errors)
            : new RenderResult(context.Objects, context.Notes, []);
    }

    private static void RenderKServe(Context c)
    {
        var spec = c.Spec;
        var predictor = spec.Predictor;
        var model = predictor.Model;
        if (model.Runtime is { } runtime && runtime != "turbine")
        {
            c.Note($"spec.predictor.model.runtime: '{runtime}' is replaced by 'turbine' (the runtime rendered here)");
        }

        string? storageUri = null;
        switch (model.StorageUri)
        {
            case S3StorageUri s3:
                storageUri = s3.Original;
                break;
            case FileStorageUri file:
                c.Error($"spec.predictor.model.storageUri: '{file.Original}' is a path on the control machine; KServe's storage initializer cannot fetch it: give an s3:// URI (or render --target kubernetes with the models in the image)");
                break;
            case RegistryStorageUri registry:
                c.Error($"spec.predictor.model.storageUri: '{registry.Original}' names Turbine's registry, which KServe's storage initializer cannot fetch: export the version to S3 and give its s3:// URI, or render --target kubernetes --registry-url URL");
                break;
        }

        var modelFormat = new JsonObject { ["name"] = model.Format == ModelFormat.Onnx ? "onnx" : "triton" };
        if (model.FormatVersion is { } version)
        {
            modelFormat["version"] = version;
        }

        var modelNode = new JsonObject
        {
            ["modelFormat"] = modelFormat,
            ["runtime"] = "turbine",
            ["protocolVersion"] = "v2",
        };
        if (storageUri is not null)
        {
            modelNode["storageUri"] = storageUri;
        }

        var predictorNode = new JsonObject { ["minReplicas"] = predictor.MinReplicas };
        if (predictor.MaxReplicas > 0)
        {
            predictorNode["maxReplicas"] = predictor.MaxReplicas;
        }

        if (predictor.ScaleTarget is { } target)
        {
            predictorNode["scaleTarget"] = target;
        }

        predictorNode["scaleMetric"] = predictor.ScaleMetric.ToString().ToLowerInvariant();
        if (predictor.ContainerConcurrency > 0)
        {
            predictorNode["containerConcurrency"] = predictor.ContainerConcurrency;
        }

        if (predictor.CanaryTrafficPercent is { } canary)
        {
            predictorNode["canaryTrafficPercent"] = canary;
        }

        if (predictor.Timeout is { } timeout)
        {
            predictorNode["timeout"] = (long)timeout.TotalSeconds;
        }

        predictorNode["model"] = modelNode;

        var annotations = c.PlainAnnotations();
        if (spec.Annotations.ContainsKey(TurbineAnnotations.ScaleToZeroGrace))
        {
            // Knative's per-revision retention: how long the last pod stays after traffic stops.
            annotations["autoscaling.knative.dev/scale-to-zero-pod-retention-period"] =
                ((long)spec.Turbine.ScaleToZeroGrace.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
        }

        c.NoteTurbineAnnotations(except: TurbineAnnotations.ScaleToZeroGrace,
            "KServe has no equivalent: it rolls out with canaryTrafficPercent alone, and scales from zero through Knative's activator");

        var metadata = TurbineContainer.Metadata(spec.Name, c.Options.Namespace, c.Labels("predictor"));
        if (annotations.Count > 0)
        {
            metadata["annotations"] = annotations;
        }

        c.Objects.Add(TurbineContainer.ServingRuntime("ServingRuntime", c.Options.Image, c.Options.Namespace));
        c.Objects.Add(new JsonObject
        {
            ["apiVersion"] = InferenceServiceParser.ApiVersion,
            ["kind"] = InferenceServiceParser.Kind,
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["predictor"] = predictorNode },
        });
    }

    /// <summary>The state of one render: the spec, the options, and what has been made so far.</summary>
    private sealed class Context(DeploymentSpec spec, RenderOptions options)
    {
        public DeploymentSpec Spec { get; } = spec;

        public RenderOptions Options { get; } = options;

        public List<JsonObject> Objects { get; } = [];

        public List<string> Notes { get; } = [];

        public List<string> Errors { get; } = [];

        public void Note(string text) => Notes.Add(text);

        public void Error(string text) => Errors.Add(text);

        public JsonObject Labels(string component) => new()
        {
            ["app.kubernetes.io/name"] = "turbine",
            ["app.kubernetes.io/instance"] = Spec.Name,
            ["app.kubernetes.io/component"] = component,
            ["app.kubernetes.io/managed-by"] = ManagedBy,
        };

        /// <summary>The spec's annotations other than <c>turbine.dev/…</c>, copied as written.</summary>
        public JsonObject PlainAnnotations()
        {
            var annotations = new JsonObject();
            foreach (var (key, value) in Spec.Annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                if (!key.StartsWith(TurbineAnnotations.Prefix, StringComparison.Ordinal))
                {
                    annotations[key] = value;
                }
            }

            return annotations;
        }

        /// <summary>One note per <c>turbine.dev/…</c> annotation the spec sets (but <paramref name="except"/>): not rendered, and why.</summary>
        public void NoteTurbineAnnotations(string? except, string why)
        {
            foreach (var key in Spec.Annotations.Keys.Where(k => k.StartsWith(TurbineAnnotations.Prefix, StringComparison.Ordinal) && k != except)
                .OrderBy(k => k, StringComparer.Ordinal))
            {
                Note($"metadata.annotations.{key}: not rendered; {why}");
            }
        }
    }
}
