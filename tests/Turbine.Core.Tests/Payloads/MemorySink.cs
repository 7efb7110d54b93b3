using System.Collections.Concurrent;
using System.Text.Json;
using Turbine.Core.Payloads;

namespace Turbine.Core.Tests.Payloads;

/// <summary>Keeps every record it is given; optionally blocks every write until released.</summary>
internal sealed class MemorySink(bool blocked = false) : IPayloadSink
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<JsonElement> Records { get; } = new();

    public string Name => "memory";

    public void Release() => _release.TrySetResult();

    public async ValueTask WriteAsync(IReadOnlyList<PayloadRecord> records, CancellationToken cancellationToken)
    {
        if (blocked)
        {
            await _release.Task;
        }

        foreach (var r in records)
        {
            Records.Enqueue(JsonDocument.Parse(r.Json).RootElement.Clone());
        }
    }

    public ValueTask DisposeAsync()
    {
        Release();
        return ValueTask.CompletedTask;
    }
}
