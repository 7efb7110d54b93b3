namespace Turbine.Registry.Domain;

/// <summary>What an API token may do; each role includes the ones before it.</summary>
internal enum TokenRole
{
    Reader = 1,
    Writer = 2,
    Admin = 3,
}
