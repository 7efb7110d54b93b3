using Turbine.Batch.Scoring;

namespace Turbine.Control.Batch;

/// <summary>
/// Loads a model in-process for a batch job (a repository model, or a registry reference such as <c>fraud@production</c>).
/// The CLI supplies it (it owns the backends); without one, jobs can only run against a deployment through the gateway.
/// </summary>
public interface IBatchModelOpener
{
    /// <summary>Loads <paramref name="model"/> and returns a scorer over it; disposing the lease unloads it.</summary>
    /// <param name="model">A repository model name or a registry reference.</param>
    /// <param name="version">A version, or null for the newest ready.</param>
    /// <param name="cancellationToken">Stops the load.</param>
    /// <exception cref="ArgumentException">The model cannot be found or loaded; the message says why.</exception>
    Task<BatchScorerLease> OpenAsync(string model, string? version, CancellationToken cancellationToken);
}

/// <summary>A scorer and what must be disposed after the job (an engine, a client).</summary>
/// <param name="scorer">Runs the model.</param>
/// <param name="owner">Disposed with the lease (null for nothing).</param>
public sealed class BatchScorerLease(IBatchScorer scorer, IAsyncDisposable? owner) : IAsyncDisposable
{
    /// <summary>Runs the model.</summary>
    public IBatchScorer Scorer { get; } = scorer;

    /// <summary>Disposes the owner.</summary>
    public ValueTask DisposeAsync() => owner?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>Where a deployment's models are served: the control plane's gateway and its routes.</summary>
public interface IBatchDeployments
{
    /// <summary>The gateway's HTTP address, or null while it is not running.</summary>
    Uri? GatewayUrl { get; }

    /// <summary>The gateway's gRPC address, or null.</summary>
    Uri? GatewayGrpcUrl { get; }

    /// <summary>The model names routed to <paramref name="deployment"/> now; empty when it has none (unknown or not ready).</summary>
    /// <param name="deployment">The deployment name.</param>
    IReadOnlyList<string> ModelNames(string deployment);
}

/// <summary>The deployments of a running <see cref="ControlPlane"/>.</summary>
/// <param name="plane">The plane.</param>
internal sealed class ControlPlaneDeployments(ControlPlane plane) : IBatchDeployments
{
    public Uri? GatewayUrl => plane.Gateway?.HttpAddress;

    public Uri? GatewayGrpcUrl => plane.Gateway?.GrpcAddress;

    public IReadOnlyList<string> ModelNames(string deployment) => plane.TrafficPlane?.ModelNames(deployment) ?? [];
}
