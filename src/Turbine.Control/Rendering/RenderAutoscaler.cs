namespace Turbine.Control.Rendering;

/// <summary>The autoscaler <see cref="RenderTarget.Kubernetes"/> renders.</summary>
public enum RenderAutoscaler
{
    /// <summary>A KEDA <c>ScaledObject</c> (Prometheus triggers for concurrency and rps; scale to zero).</summary>
    Keda,

    /// <summary>An <c>autoscaling/v2</c> HorizontalPodAutoscaler on CPU or memory (no scale to zero).</summary>
    Hpa,
}
