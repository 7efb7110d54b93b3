namespace Turbine.Server.Security;

/// <summary>
/// Marks an endpoint (REST endpoint metadata, or a gRPC service method) as a management operation: it changes what
/// the server serves or how it runs, so <see cref="ManagementAuthorizer"/> checks the caller before it runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
internal sealed class ManagementOperationAttribute : Attribute
{
    public static readonly ManagementOperationAttribute Instance = new();
}
