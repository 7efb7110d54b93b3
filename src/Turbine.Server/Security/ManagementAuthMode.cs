namespace Turbine.Server.Security;

/// <summary>How the server guards its management operations (repository load/unload, <c>/v2/logging</c>).</summary>
public enum ManagementAuthMode
{
    /// <summary>
    /// The default: with a management token, every management call must present it (<c>Authorization: Bearer</c>);
    /// without one, management is allowed only while the server is bound to loopback, and refused (403 /
    /// PERMISSION_DENIED) otherwise.
    /// </summary>
    Auto,

    /// <summary>Management calls need no credential, whatever the bind address (explicit opt-out; warned at start).</summary>
    None,
}
