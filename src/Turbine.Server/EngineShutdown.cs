using Microsoft.Extensions.Hosting;
using Turbine.Core;
using Turbine.Server.Registry;

namespace Turbine.Server;

/// <summary>
/// Stops the registry sync and the engine when the host stops, awaited, before Kestrel stops its listeners (the host
/// runs every <see cref="IHostedLifecycleService.StoppingAsync"/> after <c>ApplicationStopping</c> and before any
/// hosted service's <c>StopAsync</c>). Replaces a blocking wait inside the <c>ApplicationStopping</c> callback.
/// </summary>
internal sealed class EngineShutdown(InferenceEngine engine) : IHostedLifecycleService
{
    /// <summary>Set once the registry sync has started; stopped before the engine.</summary>
    public RegistrySync? RegistrySync { get; set; }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (RegistrySync is { } registrySync)
        {
            await registrySync.DisposeAsync().ConfigureAwait(false);
        }

        await engine.StopAsync().ConfigureAwait(false);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
