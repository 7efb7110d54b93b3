using Grpc.HealthCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Turbine.Backends.DotNet;
using Turbine.Backends.Onnx;
using Turbine.Core;
using Turbine.Core.Backends;
using Turbine.Core.Payloads;
using Turbine.Core.Sources;
using Turbine.Hosting;
using Turbine.Server.Grpc;
using Turbine.Server.Http;
using Turbine.Server.Logging;
using Turbine.Server.Registry;
using Turbine.Server.Security;
using Turbine.Server.Telemetry;

namespace Turbine.Server;

/// <summary>Composes the inference server into a host's services (<see cref="TurbineServer"/> does this for its own host).</summary>
public static class ServerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine and the front ends' services with <paramref name="options"/> bound as
    /// <see cref="IOptions{ServerOptions}"/> and validated at start (<see cref="ServerOptionsValidator"/>). Services are
    /// added with <c>TryAdd</c>, so one registered before wins (an <see cref="InferenceEngine"/>, the payload log…);
    /// backends are the <see cref="IBackend"/> services registered, ONNX Runtime and .NET (<c>backend: "dotnet"</c>) when there are none; the models come
    /// from the <see cref="IModelSource"/> registered (the registry when <see cref="ServerOptions.Registry"/> is set, else the folder).
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">The server's settings.</param>
    /// <param name="configureTracing">Extra tracing setup (tests attach an exporter); spans are exported only when this or an OTLP endpoint is set.</param>
    public static IServiceCollection AddTurbineServer(this IServiceCollection services, ServerOptions options, Action<TracerProviderBuilder>? configureTracing = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        SuppliedOptionsFactory<ServerOptions>.Register<ServerOptionsValidator>(services, options);
        // Not through IOptions: the host reads HostOptions while it is built, before ValidateOnStart reports a bad option.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        // The front ends read the bound, validated value.
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ServerOptions>>().Value);
        services.TryAddSingleton(new LogSettings(options.LogFormat));
        if (options.Registry is { } registryOptions)
        {
            // Serving from a registry: the registry source decides what loads (created and disposed by the container).
            // With monitoring, each swapped-in version's reference profile (in its card) is monitored against.
            services.TryAddSingleton<IModelSource>(sp => new RegistrySync(registryOptions, TimeProvider.System,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine.Registry"), monitoring: options.Monitoring));
        }

        services.TryAddSingleton(sp =>
        {
            var backends = sp.GetServices<IBackend>().ToList();
            return new InferenceEngine(
                sp.GetRequiredService<IOptions<ServerOptions>>().Value.EffectiveEngine(),
                backends.Count > 0 ? backends : [new OnnxBackend(), new DotNetBackend()],
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine"),
                CreatePayloadLog(options, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine.Payloads")),
                source: sp.GetService<IModelSource>(),
                requestObserver: sp.GetRequiredService<ServerMetrics>(),
                tap: options.Monitoring);
        });
        services.TryAddSingleton(new RequestBodyBudget(options.MaxInflightBodyBytes ?? RequestBodyBudget.DefaultLimit()));
        services.TryAddSingleton(new StreamFlow(options.GrpcStreamMaxPending));
        services.TryAddSingleton<StreamHooks>();
        services.TryAddSingleton<HealthServiceImpl>();
        services.TryAddSingleton<ServerStopping>();
        services.AddHostedService(sp => sp.GetRequiredService<ServerStopping>());
        services.AddMetrics();
        services.TryAddSingleton<ServerMetrics>();
        services.TryAddSingleton<IGpuStatsReader>(sp => new NvmlGpuStatsReader(sp.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine.Gpu")));
        if (options.Monitoring is { } monitoring)
        {
            services.TryAddSingleton(monitoring); // owned by the host; /metrics appends its families
        }

        services.TryAddSingleton<MetricsEndpoint>();
        var traceSettings = new TraceSettings(enabled: options.TraceOtlpEndpoint is not null || configureTracing is not null);
        services.TryAddSingleton(traceSettings);
        AddTracing(services, options, traceSettings, configureTracing);
        services.TryAddSingleton(sp => new ManagementAuthorizer(options, HostOptionRules.Address(options.Host),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine.Management")));
        services.AddGrpc(o =>
        {
            o.Interceptors.Add<ManagementAuthInterceptor>();
            // A received message is a request body like REST's: the same limit bounds it before it is buffered.
            o.MaxReceiveMessageSize = (int)Math.Min(options.GrpcMaxMessageBytes, Math.Min(options.MaxRequestBodyBytes, int.MaxValue));
            o.MaxSendMessageSize = options.GrpcMaxMessageBytes;
            o.EnableDetailedErrors = false;
        });
        // ModelInfer with the hand-written marshaller (InferenceGrpcService.Wire.cs) beside the generated methods.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<global::Grpc.AspNetCore.Server.Model.IServiceMethodProvider<InferenceGrpcService>, InferenceGrpcService.WireMethodProvider>());
        return services;
    }

    /// <summary>
    /// OpenTelemetry for the <c>Turbine</c> activity source, only when spans go somewhere (an OTLP endpoint or an
    /// exporter a test attaches); otherwise no listener exists and the request path starts no span.
    /// </summary>
    private static void AddTracing(IServiceCollection services, ServerOptions options, TraceSettings settings, Action<TracerProviderBuilder>? configure)
    {
        if (options.TraceOtlpEndpoint is null && configure is null)
        {
            return;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("turbine", serviceVersion: typeof(TurbineServer).Assembly.GetName().Version?.ToString()))
            .WithTracing(t =>
            {
                t.AddSource(EngineTracing.SourceName);
                // The trace extension's settings (level, 1 in N, count; per model) decide on request spans.
                t.SetSampler(new TraceSettingsSampler(settings, options.TraceSamplingRate));
                if (options.TraceOtlpEndpoint is { } endpoint)
                {
                    t.AddOtlpExporter(o =>
                    {
                        o.Endpoint = endpoint;
                        o.Protocol = endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal)
                            ? OtlpExportProtocol.HttpProtobuf
                            : OtlpExportProtocol.Grpc;
                    });
                }

                configure?.Invoke(t);
            });
    }

    /// <summary>The payload log with the sinks the options name (the engine owns it), or null when none is configured.</summary>
    private static PayloadLog? CreatePayloadLog(ServerOptions options, ILogger logger)
    {
        var sinks = new List<IPayloadSink>();
        if (options.PayloadLogDirectory is not null)
        {
            sinks.Add(new FilePayloadSink(options.PayloadLogDirectory, options.PayloadLogMaxFileBytes, options.PayloadLogMaxFiles));
        }

        if (options.PayloadLogUrl is not null)
        {
            sinks.Add(new HttpPayloadSink(options.PayloadLogUrl, logger: logger));
        }

        return sinks.Count == 0 ? null : new PayloadLog(sinks, logger: logger);
    }
}
