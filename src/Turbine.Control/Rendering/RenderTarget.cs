namespace Turbine.Control.Rendering;

/// <summary>What <c>turbine control render --target</c> produces.</summary>
public enum RenderTarget
{
    /// <summary>A KServe <c>InferenceService</c> on the Turbine <c>ServingRuntime</c>.</summary>
    KServe,

    /// <summary>Plain Kubernetes: Deployment, Service, autoscaler, PodMonitor and the gateway route ConfigMap.</summary>
    Kubernetes,
}
