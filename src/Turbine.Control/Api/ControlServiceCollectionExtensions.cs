using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Turbine.Control.Storage;
using Turbine.Hosting;

namespace Turbine.Control.Api;

/// <summary>Composes the control service into a host's services (<see cref="ControlHost"/> does this for its own host).</summary>
public static class ControlServiceCollectionExtensions
{
    /// <summary>
    /// Registers the control service: <paramref name="options"/> as <see cref="IOptions{ControlOptions}"/> validated at start
    /// (<see cref="ControlOptionsValidator"/>), the <see cref="TimeProvider"/>, the <see cref="IControlStore"/> (SQLite at
    /// <see cref="ControlOptions.ResolvedDatabasePath"/>), the token checks and the OpenAPI document. Everything is added with
    /// <c>TryAdd</c>, so one registered before wins. The <see cref="Reconciling.IDeploymentController"/> is not registered
    /// here: the reconciler registers it (<see cref="ControlHost"/> falls back to a stand-in that runs nothing).
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">The control service's options.</param>
    public static IServiceCollection AddTurbineControl(this IServiceCollection services, ControlOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        SuppliedOptionsFactory<ControlOptions>.Register<ControlOptionsValidator>(services, options);
        services.TryAddSingleton(options.TimeProvider);
        services.TryAddSingleton<IControlStore>(sp => ControlStoreFactory.Open(options.PostgresConnectionString, options.ResolvedDatabasePath, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(_ => new ControlAuthenticator(options));
        services.AddControlOpenApi();
        return services;
    }
}
