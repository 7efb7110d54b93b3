namespace Turbine.Gateway.Routing;

/// <summary>What the gateway does with a classified request.</summary>
internal enum RouteKind
{
    /// <summary>Answered by the gateway itself (<c>/v2</c>, health, metrics).</summary>
    Local,

    /// <summary>Forwarded to the pool of the request's model.</summary>
    Model,

    /// <summary>A server-wide call forwarded to one healthy replica of the default pool.</summary>
    ServerWide,

    /// <summary>The gateway's admin API (<c>/admin/...</c>).</summary>
    Admin,

    /// <summary>No such endpoint.</summary>
    NotFound,
}
