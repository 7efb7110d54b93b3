namespace Turbine.Backend;

/// <summary>
/// Sends a request's responses. An ordinary model sends exactly one, final; a decoupled model
/// (<c>model_transaction_policy { decoupled: true }</c>) sends zero, one or many and ends with the final flag, either on
/// its last response or alone with <see cref="Complete"/>. Responses may be sent from any thread until the final flag.
/// </summary>
public interface IResponseSender
{
    /// <summary>Sends one response.</summary>
    /// <param name="outputs">The response's outputs.</param>
    /// <param name="final">True when it is the request's last response.</param>
    void Send(IReadOnlyList<Tensor> outputs, bool final);

    /// <summary>Ends the request without a further response (Triton's flag-only final).</summary>
    void Complete();

    /// <summary>True once the final flag was sent.</summary>
    bool IsComplete { get; }
}
