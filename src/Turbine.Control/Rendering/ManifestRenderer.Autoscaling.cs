using System.Globalization;
using System.Text.Json.Nodes;
using Turbine.Control.Autoscaling;
using Turbine.Control.Specs;

namespace Turbine.Control.Rendering;

/// <summary>
/// The kubernetes target's autoscaler. KEDA (default): concurrency and rps from Turbine's Prometheus metrics
/// (concurrency by Little's law: the rate of <c>nv_inference_request_duration_us</c> is the time requests spend in the
/// server per second, i.e. the mean number in flight), cpu and memory as resource triggers, scale to zero when
/// minReplicas is 0 with the gateway's request rate as the wake-up signal. HPA: cpu or memory only.
/// </summary>
public static partial class ManifestRenderer
{
    /// <summary>How far back the Prometheus rates look.</summary>
    public const string RateWindow = "1m";

    private static void RenderScaler(Context c)
    {
        var predictor = c.Spec.Predictor;
        var settings = AutoscalerSettings.FromSpec(predictor.ScaleTarget, predictor.ScaleMetric.ToString(), (int)Math.Min(predictor.ContainerConcurrency, int.MaxValue),
            predictor.MinReplicas, predictor.MaxReplicas);
        var resource = predictor.ScaleMetric is ScaleMetric.Cpu or ScaleMetric.Memory;

        // KServe's default target for cpu and memory is 80 % utilisation; Turbine's default (70 % of concurrency 100) is for requests.
        var target = resource && predictor.ScaleTarget is null ? 80 : settings.Target;
        var max = predictor.MaxReplicas > 0 ? predictor.MaxReplicas : Math.Max(UnboundedMaxReplicas, predictor.MinReplicas);
        if (predictor.MaxReplicas == 0)
        {
            c.Note($"spec.predictor.maxReplicas: 0 (no bound) is rendered as {max}: Kubernetes autoscalers need an upper bound");
        }

        if (predictor.MinReplicas > 0 && c.Spec.Annotations.ContainsKey(TurbineAnnotations.ScaleToZeroGrace))
        {
            c.Note($"metadata.annotations.{TurbineAnnotations.ScaleToZeroGrace}: not rendered; minReplicas is not 0");
        }

        if (c.Options.Autoscaler == RenderAutoscaler.Hpa)
        {
            RenderHpa(c, resource, target, max);
        }
        else
        {
            RenderKeda(c, resource, target, max);
        }
    }

    private static void RenderHpa(Context c, bool resource, double target, int max)
    {
        var predictor = c.Spec.Predictor;
        if (!resource)
        {
            c.Error($"spec.predictor.scaleMetric: {Metric(predictor.ScaleMetric)} needs KEDA (or a Prometheus custom-metrics adapter): render with --autoscaler keda, or set scaleMetric cpu or memory for the HPA");
            return;
        }

        if (predictor.MinReplicas == 0)
        {
            c.Error("spec.predictor.minReplicas: 0 (scale to zero) needs KEDA; the HPA keeps at least one replica: render with --autoscaler keda");
            return;
        }

        c.Objects.Add(new JsonObject
        {
            ["apiVersion"] = "autoscaling/v2",
            ["kind"] = "HorizontalPodAutoscaler",
            ["metadata"] = TurbineContainer.Metadata(c.Spec.Name, c.Options.Namespace, c.Labels("server")),
            ["spec"] = new JsonObject
            {
                ["scaleTargetRef"] = TargetRef(c),
                ["minReplicas"] = predictor.MinReplicas,
                ["maxReplicas"] = max,
                ["metrics"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Resource",
                    ["resource"] = new JsonObject
                    {
                        ["name"] = Metric(predictor.ScaleMetric),
                        ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = (int)Math.Ceiling(target) },
                    },
                }),
            },
        });
    }

    private static void RenderKeda(Context c, bool resource, double target, int max)
    {
        var predictor = c.Spec.Predictor;
        var triggers = new JsonArray();
        var spec = new JsonObject
        {
            ["scaleTargetRef"] = TargetRef(c),
            ["pollingInterval"] = 15,
            ["minReplicaCount"] = predictor.MinReplicas,
            ["maxReplicaCount"] = max,
        };
        if (resource)
        {
            if (predictor.MinReplicas == 0)
            {
                c.Error($"spec.predictor.minReplicas: 0 (scale to zero) cannot scale on {Metric(predictor.ScaleMetric)}: KEDA's resource triggers never wake a deployment at zero; use scaleMetric concurrency or rps");
                return;
            }

            triggers.Add(new JsonObject
            {
                ["type"] = Metric(predictor.ScaleMetric),
                ["metricType"] = "Utilization",
                ["metadata"] = new JsonObject { ["value"] = Number(Math.Ceiling(target)) },
            });
        }
        else
        {
            var selector = PodSelector(c);
            var query = predictor.ScaleMetric == ScaleMetric.Rps
                ? $"sum(rate({{__name__=~\"nv_inference_request_success|nv_inference_request_failure\",{selector}}}[{RateWindow}]))"
                : $"sum(rate(nv_inference_request_duration_us{{{selector}}}[{RateWindow}])) / 1000000";
            triggers.Add(PrometheusTrigger(c, "load", query, target));
            if (predictor.MinReplicas == 0)
            {
                // At zero replicas the servers export nothing: the gateway's count of requests for the model (answered
                // 503 while no pod is ready) is what wakes the deployment, wherever the gateway runs. The formula reads as the load, but at least
                // one replica while the gateway sees requests.
                triggers.Add(PrometheusTrigger(c, "gateway", $"sum(rate(turbine_gateway_requests_total{{model=\"{c.Spec.Name}\"}}[{RateWindow}]))", target));
                c.Note("spec.predictor.minReplicas: 0 scales to zero through KEDA; the gateway's turbine_gateway_requests_total must be scraped by the same Prometheus to wake the deployment, and requests that arrive at zero are answered 503 until a pod is ready (no activator queue)");
                spec["cooldownPeriod"] = (int)Math.Ceiling(c.Spec.Turbine.ScaleToZeroGrace.TotalSeconds);
                spec["advanced"] = new JsonObject
                {
                    ["scalingModifiers"] = new JsonObject
                    {
                        ["formula"] = "gateway > 0 && load < 1 ? 1 : load",
                        ["target"] = Number(target),
                        ["activationTarget"] = "0",
                        ["metricType"] = "AverageValue",
                    },
                };
            }
        }

        spec["triggers"] = triggers;
        c.Objects.Add(new JsonObject
        {
            ["apiVersion"] = "keda.sh/v1alpha1",
            ["kind"] = "ScaledObject",
            ["metadata"] = TurbineContainer.Metadata(c.Spec.Name, c.Options.Namespace, c.Labels("server")),
            ["spec"] = spec,
        });
    }

    private static JsonObject PrometheusTrigger(Context c, string name, string query, double threshold) => new()
    {
        ["type"] = "prometheus",
        ["name"] = name,
        ["metadata"] = new JsonObject
        {
            ["serverAddress"] = c.Options.PrometheusUrl.ToString().TrimEnd('/'),
            ["query"] = query,
            ["threshold"] = Number(threshold),
        },
    };

    /// <summary>The PodMonitor's series of this deployment's pods: its namespace and pods named NAME-&lt;hash&gt;-&lt;hash&gt;.</summary>
    private static string PodSelector(Context c)
    {
        var pods = $"pod=~\"{c.Spec.Name}-[a-z0-9]+-[a-z0-9]+\"";
        return c.Options.Namespace is { } ns ? $"namespace=\"{ns}\",{pods}" : pods;
    }

    private static JsonObject TargetRef(Context c) => new() { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["name"] = c.Spec.Name };

    private static string Metric(ScaleMetric metric) => metric.ToString().ToLowerInvariant();

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
