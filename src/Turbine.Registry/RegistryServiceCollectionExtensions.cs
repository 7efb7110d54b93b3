using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Turbine.Hosting;
using Turbine.Registry.Api;
using Turbine.Registry.Artifacts;
using Turbine.Registry.Storage;
using Turbine.Registry.Telemetry;

namespace Turbine.Registry;

/// <summary>Composes the model registry into a host's services (<see cref="RegistryServer"/> does this for its own host).</summary>
public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// Registers the registry's services with <paramref name="options"/> bound as <see cref="IOptions{RegistryOptions}"/>
    /// and validated at start (<see cref="RegistryOptionsValidator"/>). Services are added with <c>TryAdd</c>, so one
    /// registered before wins (an <see cref="IArtifactStore"/>, for example); the container owns and disposes the stores.
    /// </summary>
    /// <exception cref="ArgumentException">The artifact store settings are incomplete or invalid.</exception>
    public static IServiceCollection AddTurbineRegistry(this IServiceCollection services, RegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        SuppliedOptionsFactory<RegistryOptions>.Register<RegistryOptionsValidator>(services, options);
        services.TryAddSingleton(_ => RegistryStoreFactory.Create(options.DataDirectory, options.Database, options.TimeProvider));
        services.AddArtifactStore(RegistryArtifactStores.ToStoreOptions(options));
        services.TryAddSingleton(_ => new RegistryMetrics(options.TimeProvider));
        services.AddRegistryOpenApi();
        return services;
    }
}
