using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.Tests.Configuration;

public sealed class FileGatewayConfigSourceTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "turbine-gw-tests", Guid.NewGuid().ToString("N"));

    public FileGatewayConfigSourceTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Config(string policy) => $"""
        pools:
          main:
            policy: {policy}
            replicas:
              - http: http://127.0.0.1:9000
        models:
          "*":
            pool: main
        """;

    [Fact]
    public void Open_BadFile_ThrowsWithEveryLineNumberedError()
    {
        var path = Path.Combine(_dir, "gateway.yaml");
        File.WriteAllText(path, Config("nope"));
        var e = Assert.Throws<GatewayConfigException>(() => FileGatewayConfigSource.Open(path, NullLogger.Instance));
        Assert.Equal([$"{path}:3:13: pools.main.policy: unknown balancing policy 'nope' (expected one of roundRobin, leastRequests, powerOfTwoChoices, peakEwma)"], e.Errors);
    }

    [Fact]
    public async Task Reload_BadThenGoodFile_KeepsThePreviousSnapshotThenApplies()
    {
        var path = Path.Combine(_dir, "gateway.yaml");
        File.WriteAllText(path, Config("roundRobin"));
        var logs = new ListLogger();
        using var source = FileGatewayConfigSource.Open(path, logs, pollInterval: TimeSpan.FromMilliseconds(100), debounce: TimeSpan.FromMilliseconds(200));
        var changes = 0;
        source.Changed += _ => Interlocked.Increment(ref changes);

        await File.WriteAllTextAsync(path, Config("bogus") + "\n# bad");
        Assert.True(await Eventually(() => logs.Messages.Any(m => m.Contains("pools.main.policy", StringComparison.Ordinal))));
        Assert.Equal("roundRobin", source.Current.Pools["main"].Policy);
        Assert.Contains(logs.Messages, m => m.Contains($"{path}:3:13: pools.main.policy: unknown balancing policy 'bogus'", StringComparison.Ordinal));

        await File.WriteAllTextAsync(path, Config("peakEwma"));
        Assert.True(await Eventually(() => source.Current.Pools["main"].Policy == "peakEwma"));
        Assert.True(Volatile.Read(ref changes) >= 1);
    }

    private static Task<bool> Eventually(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(10));

    private sealed class ListLogger : ILogger
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_messages)
            {
                _messages.Add(formatter(state, exception));
            }
        }
    }
}
