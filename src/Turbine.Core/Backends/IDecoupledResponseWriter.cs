using Turbine.Core.Tensors;

namespace Turbine.Core.Backends;

/// <summary>What a decoupled model instance sends its responses to (the engine, which forwards them to the front end).</summary>
public interface IDecoupledResponseWriter
{
    /// <summary>
    /// Sends one response (<paramref name="outputs"/>, owned by the writer from now on) or, with null outputs, only the
    /// final flag. Nothing may be sent after a call with <paramref name="final"/> true; such a call throws.
    /// </summary>
    /// <param name="outputs">The response's outputs, or null for a flag-only final.</param>
    /// <param name="final">True on the request's last call.</param>
    void Send(List<InferenceTensor>? outputs, bool final);
}
