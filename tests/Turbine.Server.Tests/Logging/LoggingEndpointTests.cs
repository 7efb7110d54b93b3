using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Turbine.Server.Tests.Logging;

/// <summary>Triton's logging extension on a server of its own (the tests change its settings).</summary>
public sealed class LoggingEndpointTests : IAsyncLifetime
{
    private readonly MessageList _messages = new();
    private ServerHarness _harness = null!;

    public async Task InitializeAsync() => _harness = await ServerHarness.StartAsync(logging: l =>
    {
        l.SetMinimumLevel(LogLevel.Warning);
        l.AddProvider(_messages);
    });

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Get_Defaults_ReturnsTritonFields()
    {
        var (status, body) = await _harness.GetJsonAsync("/v2/logging");
        Assert.Equal(200, status);
        Assert.Equal("", body.GetProperty("log_file").GetString());
        Assert.True(body.GetProperty("log_info").GetBoolean());
        Assert.True(body.GetProperty("log_warning").GetBoolean());
        Assert.True(body.GetProperty("log_error").GetBoolean());
        Assert.Equal(0, body.GetProperty("log_verbose_level").GetInt32());
        Assert.Equal("text", body.GetProperty("log_format").GetString());
    }

    [Fact]
    public async Task Post_WarningOffAndVerbose_AppliesToLoggersAndLaterGet()
    {
        var logger = _harness.Server.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine");
        Assert.True(logger.IsEnabled(LogLevel.Warning));
        logger.LogWarning("before");

        var (status, answered) = await _harness.PostJsonAsync("/v2/logging", """{"log_warning":false,"log_verbose_level":2}""");
        Assert.Equal(200, status);
        Assert.False(answered.GetProperty("log_warning").GetBoolean());

        var (_, body) = await _harness.GetJsonAsync("/v2/logging");
        Assert.False(body.GetProperty("log_warning").GetBoolean());
        Assert.Equal(2, body.GetProperty("log_verbose_level").GetInt32());
        Assert.True(body.GetProperty("log_error").GetBoolean());
        Assert.False(logger.IsEnabled(LogLevel.Warning));
        Assert.True(logger.IsEnabled(LogLevel.Error));
        logger.LogWarning("hidden");
        logger.LogError("shown");
        Assert.Equal(["before", "shown"], _messages.Snapshot().Where(m => m is "before" or "hidden" or "shown"));

        (status, _) = await _harness.PostJsonAsync("/v2/logging", """{"log_warning":true}""");
        Assert.Equal(200, status);
        Assert.True(logger.IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public async Task Post_BodyOver64KiB_413NamesLoggingLimitAndChangesNothing()
    {
        var json = "{\"log_info\":false" + new string(' ', 70 * 1024) + "}";
        var (status, body) = await _harness.PostJsonAsync("/v2/logging", json);
        Assert.Equal(413, status);
        Assert.Equal($"request body of {json.Length} bytes exceeds the limit of 65536 bytes (the /v2/logging body limit)", body.GetProperty("error").GetString());
        Assert.True((await _harness.GetJsonAsync("/v2/logging")).Body.GetProperty("log_info").GetBoolean());
    }

    [Theory]
    [InlineData("""{"log_info":false,"log_file":"/tmp/turbine.log"}""", "log_file")]
    [InlineData("""{"log_format":"ISO8601"}""", "log_format")]
    [InlineData("""{"log_info":"yes"}""", "log_info")]
    [InlineData("""{"log_verbose_level":-1}""", "log_verbose_level")]
    [InlineData("""{"log_colour":true}""", "log_colour")]
    [InlineData("""[1]""", "JSON object")]
    public async Task Post_Unsupported_400NamesFieldAndChangesNothing(string json, string named)
    {
        var (status, body) = await _harness.PostJsonAsync("/v2/logging", json);
        Assert.Equal(400, status);
        Assert.Contains(named, body.GetProperty("error").GetString());

        var (_, after) = await _harness.GetJsonAsync("/v2/logging");
        Assert.True(after.GetProperty("log_info").GetBoolean());
    }

    [Fact]
    public async Task ServerMetadata_ListsLogging()
    {
        var (_, body) = await _harness.GetJsonAsync("/v2");
        Assert.Contains("logging", body.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>A console stand-in: records the messages that got through the filters.</summary>
    private sealed class MessageList : ILoggerProvider, ILogger
    {
        private readonly List<string> _messages = [];

        public string[] Snapshot()
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_messages)
            {
                _messages.Add(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
