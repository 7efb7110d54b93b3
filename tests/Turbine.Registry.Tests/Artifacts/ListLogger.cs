using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Turbine.Registry.Tests.Artifacts;

/// <summary>Keeps what was logged, so a test can check that a failure path reported itself.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(EventId Id, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((eventId, formatter(state, exception)));
}
