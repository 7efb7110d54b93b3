using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.Extensions.Hosting;
using Turbine.Core;

namespace Turbine.Server;

/// <summary>
/// The first step of a stop, before Kestrel stops accepting and drains: readiness off (gRPC health NOT_SERVING), the
/// engine stopped loading and its model source no longer watched. Awaited by the host (no blocking wait on the stopping thread).
/// </summary>
internal sealed class ServerStopping(InferenceEngine engine, HealthServiceImpl health) : IHostedLifecycleService
{
    private const string InferenceServiceName = "inference.GRPCInferenceService";

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        SetHealth(health, HealthCheckResponse.Types.ServingStatus.NotServing);
        // Stops the watch on the model source too; the container disposes the source itself.
        return engine.StopAsync();
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
