namespace Turbine.Gateway.Configuration;

/// <summary>
/// The current validated config. Request-path code reads <see cref="Current"/> once per request (an immutable
/// snapshot; never cache it across requests); <see cref="Changed"/> fires after a successful hot reload so
/// components can rebuild derived state (key hashes, JWKS, token buckets).
/// </summary>
public interface IGatewayConfigSource
{
    GatewayConfig Current { get; }

    event Action<GatewayConfig>? Changed;
}
