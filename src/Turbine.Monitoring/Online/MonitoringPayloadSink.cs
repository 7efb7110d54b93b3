using Turbine.Core.Payloads;

namespace Turbine.Monitoring.Online;

/// <summary>
/// The monitoring tap on the inference path: a payload-log sink. The payload log already copies the tensors on the
/// request path and hands records to its bounded channel without waiting (drops counted there); this sink runs on the
/// payload log's background writer, samples per model, and hands observations to <see cref="MonitoringService"/>'s
/// own bounded channel (drops counted there). Nothing here can block or fail a request.
/// </summary>
public sealed class MonitoringPayloadSink(MonitoringService service) : IPayloadSink
{
    public string Name => "monitoring";

    /// <summary>Reads the captured tensors, not the JSON: alone, it spares the payload log the serialization.</summary>
    public bool UsesJson => false;

    public ValueTask WriteAsync(IReadOnlyList<PayloadRecord> records, CancellationToken cancellationToken)
    {
        foreach (var record in records)
        {
            if (record.Error is not null || record.Inputs is null || service.Find(record.Model) is not { } monitor || !service.ShouldSample(record.Model))
            {
                continue;
            }

            service.TryObserve(TensorObservations.FromPayload(record, monitor.Settings.Profile, monitor.Settings.PredictionOutput));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
