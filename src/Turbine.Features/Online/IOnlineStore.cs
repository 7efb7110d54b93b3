namespace Turbine.Features.Online;

/// <summary>One entity's latest feature values of a view, to write: all the view's features, in the view's order.</summary>
public sealed record OnlineRow(byte[] EntityKey, DateTime EventTime, DateTime Created, object?[] Values);

/// <summary>One entity's stored values of a view: its event time and the requested features' values (null when unset).</summary>
public sealed record OnlineRecord(DateTime EventTime, object?[] Values);

/// <summary>
/// An online store: the latest feature values per entity and feature view. Writes keep the newer row (event time,
/// then created time), so a replayed or resumed materialization never moves a value back in time. Entity keys are
/// Feast's serialized entity keys (<see cref="Values.FeastCodec.SerializeEntityKey"/>).
/// </summary>
public interface IOnlineStore : IAsyncDisposable
{
    /// <summary><c>sqlite</c> or <c>redis</c>.</summary>
    string Kind { get; }

    /// <summary>Writes rows of <paramref name="view"/> (features named by <paramref name="features"/>), keeping stored rows that are newer; returns how many were written.</summary>
    Task<int> WriteAsync(string view, IReadOnlyList<string> features, IReadOnlyList<OnlineRow> rows, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="WriteAsync"/>, for rows already encoded (the materializer's path: no boxed values); <paramref name="rows"/> may be reused once this completes.</summary>
    Task<int> WriteEncodedAsync(string view, IReadOnlyList<string> features, EncodedRows rows, CancellationToken cancellationToken = default);

    /// <summary>Reads <paramref name="features"/> of <paramref name="view"/> for each key; null where the entity has no row.</summary>
    Task<OnlineRecord?[]> ReadAsync(string view, IReadOnlyList<string> features, IReadOnlyList<byte[]> entityKeys, CancellationToken cancellationToken = default);
}
