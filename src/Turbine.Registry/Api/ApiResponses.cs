using System.Text.Json;
using Turbine.Registry.Domain;

namespace Turbine.Registry.Api;

/// <summary><c>{"error", "code"}</c>: every error answer.</summary>
internal sealed record ErrorResponse(string Error, string Code);

/// <summary><c>POST /api/v1/artifacts</c>.</summary>
internal sealed record ArtifactResponse(string Sha256, long Size);

internal sealed record ModelListResponse(IReadOnlyList<RegisteredModel> Models);

internal sealed record VersionListResponse(IReadOnlyList<ModelVersion> Versions);

internal sealed record AliasResponse(string Alias, long Version);

internal sealed record VersionLineageResponse(ModelVersion Version, IReadOnlyList<ModelVersion> Ancestors, IReadOnlyList<ModelVersion> Descendants);

internal sealed record AuditEntryResponse(long Id, DateTimeOffset At, string Actor, string Action, string? Model, long? Version, JsonElement Details);

internal sealed record AuditResponse(IReadOnlyList<AuditEntryResponse> Entries);

internal sealed record CreatedTokenResponse(long Id, string Name, TokenRole Role, string Models, string Token);

internal sealed record TokenListResponse(IReadOnlyList<ApiToken> Tokens);

internal sealed record HealthResponse(string Status);
