using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.Extensions.Hosting;
using Turbine.Core;
using Turbine.Server.Registry;

namespace Turbine.Server;

/// <summary>
/// The first step of a stop, before Kestrel stops accepting and drains: readiness off (gRPC health NOT_SERVING), the
/// registry sync ended, the engine stopped loading. Awaited by the host (no blocking wait on the stopping thread).
/// </summary>
internal sealed class ServerStopping(InferenceEngine engine, HealthServiceImpl health) : IHostedLifecycleService
{
    private const string InferenceServiceName = "inference.GRPCInferenceService";

    /// <summary>The registry sync when serving from a registry; set once it runs.</summary>
    public RegistrySync? RegistrySync { get; set; }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        SetHealth(health, HealthCheckResponse.Types.ServingStatus.NotServing);
        if (RegistrySync is { } sync)
        {
            await sync.DisposeAsync().ConfigureAwait(false);
        }

        await engine.StopAsync().ConfigureAwait(false);
    }

    public static void SetHealth(HealthServiceImpl health, HealthCheckResponse.Types.ServingStatus status)
    {
        health.SetStatus("", status);
        health.SetStatus(InferenceServiceName, status);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
