namespace Turbine.Gateway.Proxy;

/// <summary>Per-attempt state shared between <see cref="GatewayProxy"/> and <see cref="GatewayTransformer"/> (an HttpContext feature).</summary>
internal class ForwardState
{
    /// <summary>This attempt may be retried if the replica answers 503: hold the answer back instead of copying it.</summary>
    public bool Hold503 { get; set; }

    /// <summary>The replica answered 503 and the answer was held back.</summary>
    public bool Held503 { get; set; }

    /// <summary>The request body as kept in memory for this attempt (null: it streams from the client).</summary>
    public virtual ArraySegment<byte>? KeptBody => null;
}
