using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Turbine.Server.Logging;

namespace Turbine.Cli.Logging;

/// <summary>
/// The one console log format of every role the CLI runs (server, gateway, registry): one line per message with a
/// UTC timestamp (<c>2026-01-31T12:00:00.000Z info: Category[id] message</c>), or one JSON object per line with
/// <c>--log-format json</c>. The server, gateway and registry take it through their logging hooks, so
/// <c>turbine up</c>'s three roles print alike and a standalone <c>turbine registry</c> prints as the others.
/// </summary>
internal static class RoleLogging
{
    /// <summary>The timestamp of every console line (UTC, milliseconds), as the server has always written it.</summary>
    public const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";

    /// <summary>Configures <paramref name="logging"/>; <paramref name="hideReady"/> drops the role's own "ready" line (<c>up</c> prints one summary instead).</summary>
    public static void Configure(ILoggingBuilder logging, LogFormat format, bool hideReady = false, LogLevel minimum = LogLevel.Information)
    {
        logging.ClearProviders();
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = TimestampFormat;
                o.UseUtcTimestamp = true;
                o.IncludeScopes = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = TimestampFormat + " ";
                o.UseUtcTimestamp = true;
                o.IncludeScopes = true;
            });
        }

        logging.SetMinimumLevel(minimum);
        foreach (var noisy in new[] { "Microsoft", "Grpc", "Yarp" })
        {
            logging.AddFilter(noisy, LogLevel.Warning);
        }

        // Its request scopes cost allocations on every request and it logs only at Information (see TurbineServer).
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        if (hideReady)
        {
            var console = logging.Services.Single(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider));
            logging.Services.Remove(console);
            logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, ReadyHidingProvider>());
        }
    }

    /// <summary>The role's own log setup, as a hook for its options.</summary>
    public static Action<ILoggingBuilder> For(LogFormat format, bool hideReady = false, LogLevel minimum = LogLevel.Information) =>
        logging => Configure(logging, format, hideReady, minimum);

    /// <summary>The console provider without the events named <c>Ready</c> (each role's "… ready: …" line).</summary>
    private sealed class ReadyHidingProvider(IServiceProvider services) : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConsoleLoggerProvider _inner = ActivatorUtilities.CreateInstance<ConsoleLoggerProvider>(services);

        public ILogger CreateLogger(string categoryName) => new ReadyHidingLogger(_inner.CreateLogger(categoryName));

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _inner.SetScopeProvider(scopeProvider);

        public void Dispose() => _inner.Dispose();
    }

    private sealed class ReadyHidingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name != "Ready")
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
