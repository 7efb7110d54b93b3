using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Turbine.Control.Autoscaling;

/// <summary>
/// The autoscaler's inputs and decisions as observable gauges of the <c>Turbine.Control</c> meter (convention 12),
/// one series per deployment (<c>deployment</c> tag): <c>turbine.autoscaler.desired_replicas</c>,
/// <c>.ready_replicas</c>, <c>.stable_value</c>, <c>.panic_value</c> and <c>.panic_mode</c> (0 or 1); in Prometheus
/// <c>turbine_autoscaler_desired_replicas</c> and so on. Series are bounded by the deployments that exist: the
/// controller calls <see cref="Remove"/> when a deployment is deleted.
/// </summary>
internal sealed class AutoscalerMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Turbine.Control";

    private readonly ConcurrentDictionary<string, Snapshot> _latest = new(StringComparer.Ordinal);

    /// <summary>Creates the gauges on a meter from <paramref name="meterFactory"/> (which owns and disposes it).</summary>
    public AutoscalerMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
#pragma warning disable CA2000 // the IMeterFactory owns the meters it creates and disposes them with the container
        var meter = meterFactory.Create(MeterName);
#pragma warning restore CA2000
        meter.CreateObservableGauge("turbine.autoscaler.desired_replicas", () => Observe(static s => s.Desired), "{replica}",
            "Replicas the autoscaler wants, per deployment.");
        meter.CreateObservableGauge("turbine.autoscaler.ready_replicas", () => Observe(static s => s.Ready), "{replica}",
            "Ready replicas the autoscaler saw at its last tick, per deployment.");
        meter.CreateObservableGauge("turbine.autoscaler.stable_value", () => Observe(static s => s.Stable), null,
            "The scaling metric (total across replicas) averaged over the stable window, per deployment.");
        meter.CreateObservableGauge("turbine.autoscaler.panic_value", () => Observe(static s => s.Panic), null,
            "The scaling metric (total across replicas) averaged over the panic window, per deployment.");
        meter.CreateObservableGauge("turbine.autoscaler.panic_mode", () => Observe(static s => s.PanicMode ? 1 : 0), null,
            "1 while the deployment's autoscaler is in panic mode, else 0.");
    }

    /// <summary>The deployments that have series now.</summary>
    public IReadOnlyCollection<string> Deployments => _latest.Keys.ToArray();

    /// <summary>Records the decision of <paramref name="deployment"/>'s latest tick, with the ready replicas it saw.</summary>
    public void Record(string deployment, int readyReplicas, AutoscalerDecision decision)
    {
        ArgumentException.ThrowIfNullOrEmpty(deployment);
        ArgumentNullException.ThrowIfNull(decision);
        _latest[deployment] = new Snapshot(decision.DesiredReplicas, readyReplicas, decision.StableValue, decision.PanicValue, decision.PanicMode);
    }

    /// <summary>Drops <paramref name="deployment"/>'s series (the deployment was deleted); false if it had none.</summary>
    public bool Remove(string deployment) => _latest.TryRemove(deployment, out _);

    private IEnumerable<Measurement<double>> Observe(Func<Snapshot, double> value)
    {
        foreach (var (deployment, snapshot) in _latest)
        {
            yield return new Measurement<double>(value(snapshot), new TagList { { "deployment", deployment } });
        }
    }

    private readonly record struct Snapshot(int Desired, int Ready, double Stable, double Panic, bool PanicMode);
}
