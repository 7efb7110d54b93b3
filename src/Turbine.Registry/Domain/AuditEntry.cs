namespace Turbine.Registry.Domain;

/// <summary>One line of the append-only audit log: who did what, when, to which model/version.</summary>
internal sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string? Model, long? Version, string Details);
