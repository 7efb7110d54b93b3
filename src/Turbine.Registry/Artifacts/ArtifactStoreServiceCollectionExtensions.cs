using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Turbine.Registry.Artifacts;

/// <summary>Registers the artifact store the options describe.</summary>
public static class ArtifactStoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IArtifactStore"/> as a singleton built by <see cref="ArtifactStoreFactory.Create"/> (unless one
    /// is registered already, so a host or a test can put its own). The options are validated here, at start-up, not
    /// on the first request; the container disposes the store (and the S3 client it owns) when it is disposed.
    /// </summary>
    public static IServiceCollection AddArtifactStore(this IServiceCollection services, ArtifactStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArtifactStoreFactory.Validate(options);
        services.TryAddSingleton(sp => ArtifactStoreFactory.Create(options, sp.GetService<ILoggerFactory>()));
        return services;
    }
}
