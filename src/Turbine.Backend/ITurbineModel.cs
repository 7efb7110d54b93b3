namespace Turbine.Backend;

/// <summary>
/// A model served by Turbine's .NET backend (<c>backend: "dotnet"</c>): the public class in <c>model.dll</c> that
/// implements this interface, with a public parameterless constructor. One object per model instance; Turbine calls
/// <see cref="ExecuteAsync"/> one batch at a time per instance.
/// </summary>
public interface ITurbineModel
{
    /// <summary>Called once after the object is created, before any request (Triton Python backend's <c>initialize</c>).</summary>
    /// <param name="context">The model's configuration, parameters, folder, and the client for calling other models.</param>
    void Initialize(ModelContext context);

    /// <summary>
    /// Runs a batch of requests (Triton's <c>execute</c>). Answer each request through its
    /// <see cref="ModelRequest.Responses"/>: exactly one response for an ordinary model
    /// (<see cref="ModelRequest.Respond(Tensor[])"/>); zero, one or many ending with the final flag for a decoupled one.
    /// An exception fails every request of the batch not yet answered, with its message.
    /// </summary>
    /// <param name="requests">The requests of this batch.</param>
    /// <param name="cancellationToken">Cancelled when the execute timeout passes or the server stops.</param>
    Task ExecuteAsync(IReadOnlyList<ModelRequest> requests, CancellationToken cancellationToken);

    /// <summary>Called once when the instance is unloaded, after its last request (Triton's <c>finalize</c>).</summary>
    void Shutdown();
}
