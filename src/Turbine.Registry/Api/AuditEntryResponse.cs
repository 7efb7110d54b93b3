using System.Text.Json;

namespace Turbine.Registry.Api;

internal sealed record AuditEntryResponse(long Id, DateTimeOffset At, string Actor, string Action, string? Model, long? Version, JsonElement Details);
