namespace Turbine.Core.Payloads;

/// <summary>Where payload records go (files, an HTTP collector). Called by one background writer at a time.</summary>
public interface IPayloadSink : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Whether the sink reads <see cref="PayloadRecord.Json"/>; when no sink does, records are not serialized.</summary>
    bool UsesJson => true;

    /// <summary>Writes a batch; each record's <see cref="PayloadRecord.Json"/> is set. Should not throw for expected failures.</summary>
    ValueTask WriteAsync(IReadOnlyList<PayloadRecord> records, CancellationToken cancellationToken);
}
