using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turbine.Gateway.Activation;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.LoadBalancing;
using Turbine.Gateway.Proxy;
using Turbine.Gateway.Routing;
using Turbine.Gateway.Telemetry;
using Turbine.Gateway.Traffic;
using Turbine.Hosting;

namespace Turbine.Gateway;

/// <summary>Composes the gateway into a host's services (<see cref="GatewayHost"/> does this for its own host).</summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// Registers the gateway's services with <paramref name="options"/> bound as <see cref="IOptions{GatewayOptions}"/>
    /// and validated at start (<see cref="GatewayOptionsValidator"/>). Every service is added with <c>TryAdd</c>, so one
    /// registered before wins: register an <see cref="IGatewayConfigSource"/> (an <see cref="InMemoryGatewayConfigSource"/>,
    /// or a source an API feeds) to replace the default, which reads <see cref="GatewayOptions.ConfigPath"/> and hot-reloads it.
    /// </summary>
    public static IServiceCollection AddTurbineGateway(this IServiceCollection services, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        SuppliedOptionsFactory<GatewayOptions>.Register<GatewayOptionsValidator>(services, options);
        // Not through IOptions: the host reads HostOptions while it is built, before ValidateOnStart reports a bad option.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        var time = options.TimeProvider ?? TimeProvider.System;
        var seeds = options.RandomSeed is { } seed ? new Random(seed) : null;
        Func<Random> randomFactory = () => seeds is null ? new Random() : new Random(seeds.Next());

        services.TryAddSingleton(time);
        services.TryAddSingleton<IGatewayConfigSource>(OpenConfigFile);
        services.TryAddSingleton(sp => new PoolRegistry(sp.GetRequiredService<IGatewayConfigSource>(), randomFactory, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton(sp =>
        {
            var activation = new GatewayActivation(sp.GetRequiredService<PoolRegistry>(), sp.GetRequiredService<TimeProvider>());
            // Held requests are refused when the host stops, so they never hold up shutdown.
            sp.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(activation.Stop);
            return activation;
        });
        services.TryAddSingleton(sp => new GatewayTrafficStats(sp.GetRequiredService<PoolRegistry>()));
        services.TryAddSingleton<BlueGreenState>();
        services.TryAddSingleton(sp => new TrafficRouter(randomFactory(), sp.GetRequiredService<BlueGreenState>()));
        services.TryAddSingleton<ShadowMirror>();
        services.AddHostedService(sp => sp.GetRequiredService<ShadowMirror>());
        services.TryAddSingleton<HealthChecker>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthChecker>());
        services.TryAddSingleton<IModelMetadataSource, ModelMetadataSource>();
        services.AddHttpForwarder();
        services.TryAddSingleton<GatewayProxy>();
        services.TryAddSingleton<GatewayEndpoints>();
        services.AddGatewayEdge();
        return services;
    }

    /// <summary>The default source: the options' YAML file, hot-reloaded; its first load throws <see cref="GatewayConfigException"/> when bad.</summary>
    private static FileGatewayConfigSource OpenConfigFile(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var path = options.ConfigPath
            ?? throw new InvalidOperationException($"the gateway needs a config: set {nameof(GatewayOptions)}.{nameof(GatewayOptions.ConfigPath)} or register an {nameof(IGatewayConfigSource)}");
        return FileGatewayConfigSource.Open(path, services.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine.Gateway.Config"),
            services.GetRequiredService<TimeProvider>(), options.ConfigPollInterval);
    }
}
