using Microsoft.Extensions.Hosting;
using Turbine.Core;

namespace Turbine.Server;

/// <summary>
/// Stops the engine (and with it the watch on its model source) when the host stops, awaited, before Kestrel stops its listeners (the host
/// runs every <see cref="IHostedLifecycleService.StoppingAsync"/> after <c>ApplicationStopping</c> and before any
/// hosted service's <c>StopAsync</c>). Replaces a blocking wait inside the <c>ApplicationStopping</c> callback.
/// </summary>
internal sealed class EngineShutdown(InferenceEngine engine) : IHostedLifecycleService
{
    public Task StoppingAsync(CancellationToken cancellationToken) => engine.StopAsync();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
