namespace Turbine.Gateway.Routing;

/// <summary>
/// Per-request facts the gateway's middleware share, stored as an HttpContext feature
/// (<c>context.Features.Get&lt;GatewayRequestInfo&gt;()</c>). The classifier (first in the pipeline, proxy path)
/// fills <see cref="Model"/>, <see cref="Version"/>, <see cref="Operation"/> and <see cref="Protocol"/> from the
/// REST path or the gRPC method and the <c>model_name</c>/<c>name</c> field of the first gRPC message;
/// authentication fills <see cref="CallerKey"/>, <see cref="CallerIdentity"/> and <see cref="Roles"/>; rate limiting, traffic policies
/// (sticky A/B by caller key), access logs and metrics read them.
/// </summary>
public sealed class GatewayRequestInfo
{
    /// <summary>Model named by the request; null for server-wide requests.</summary>
    public string? Model { get; set; }

    /// <summary>Model version named by the request, if any.</summary>
    public string? Version { get; set; }

    public GatewayOperation Operation { get; set; }

    /// <summary><c>rest</c>, <c>grpc</c> or <c>v1</c> (KServe v1 translated).</summary>
    public string Protocol { get; set; } = "rest";

    /// <summary>Stable identity of the caller (API key id or JWT subject); null for anonymous requests.</summary>
    public string? CallerKey { get; set; }

    /// <summary>
    /// The caller's namespaced identity: <c>key:ID</c> for an API key, <c>jwt:ISSUER|SUBJECT</c> for a JWT; null for
    /// anonymous requests. Rate-limit buckets and A/B stickiness use it, so a token whose subject equals a key id
    /// is not that key.
    /// </summary>
    public string? CallerIdentity { get; set; }

    /// <summary>Role names granted to the caller (for example <c>admin</c>).</summary>
    public IReadOnlyCollection<string> Roles { get; set; } = [];

    /// <summary>Pool the traffic policy chose (set by the proxy path; for logs and metrics).</summary>
    public string? Pool { get; set; }

    /// <summary>Model version the traffic policy sent the request to (a split target's or A/B variant's <c>version</c>); null when it chose none or the request named its own.</summary>
    public string? TargetVersion { get; set; }

    /// <summary>Replica address that answered (set by the proxy path; for logs and metrics).</summary>
    public string? Destination { get; set; }

    /// <summary>Times the request was retried on another replica.</summary>
    public int Retries { get; set; }

    /// <summary>How the proxy path treats the request (set by classification).</summary>
#pragma warning disable CA1051 // internal: a field so classification can set the struct's members in place
    internal GatewayRoute Route;
#pragma warning restore CA1051
}
