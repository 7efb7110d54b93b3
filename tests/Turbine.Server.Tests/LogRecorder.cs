using Microsoft.Extensions.Logging;

namespace Turbine.Server.Tests;

/// <summary>Keeps every log entry a server writes (level, event id, message, exception) for tests to count.</summary>
public sealed class LogRecorder : ILoggerProvider
{
    private readonly List<Entry> _entries = [];

    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

    public Entry[] Snapshot()
    {
        lock (_entries)
        {
            return [.. _entries];
        }
    }

    /// <summary>Entries written after the first <paramref name="skip"/> ones.</summary>
    public Entry[] Since(int skip) => Snapshot().Skip(skip).ToArray();

    public ILogger CreateLogger(string categoryName) => new CategoryLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(Entry entry)
    {
        lock (_entries)
        {
            _entries.Add(entry);
        }
    }

    private sealed class CategoryLogger(LogRecorder owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new Entry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
