namespace Turbine.Gateway.Configuration;

/// <summary>One server replica of a pool.</summary>
public sealed record ReplicaConfig : IValidatableConfig
{
    /// <summary>REST base URL, for example <c>http://10.0.0.5:8000</c>.</summary>
    public string? Http { get; init; }

    /// <summary>gRPC base URL (cleartext HTTP/2), for example <c>http://10.0.0.5:8001</c>; null = no gRPC traffic to this replica.</summary>
    public string? Grpc { get; init; }

    public void Validate(string path, ConfigValidationContext context)
    {
        if (Http is null)
        {
            context.Error(path + ".http", "a replica needs its REST base URL ('http')");
        }
        else if (!IsHttpUrl(Http))
        {
            context.Error(path + ".http", $"must be an absolute http:// or https:// URL, got '{Http}'");
        }

        if (Grpc is not null && !IsHttpUrl(Grpc))
        {
            context.Error(path + ".grpc", $"must be an absolute http:// or https:// URL, got '{Grpc}'");
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
