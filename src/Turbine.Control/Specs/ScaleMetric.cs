namespace Turbine.Control.Specs;

/// <summary>KServe's <c>spec.predictor.scaleMetric</c>: what the autoscaler keeps at <c>scaleTarget</c> per replica.</summary>
public enum ScaleMetric
{
    /// <summary>Requests in flight per replica (KServe's and Knative's default).</summary>
    Concurrency,

    /// <summary>Requests per second per replica.</summary>
    Rps,

    /// <summary>CPU utilisation, percent.</summary>
    Cpu,

    /// <summary>Memory use.</summary>
    Memory,
}
