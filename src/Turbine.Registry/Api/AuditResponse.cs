namespace Turbine.Registry.Api;

internal sealed record AuditResponse(IReadOnlyList<AuditEntryResponse> Entries);
