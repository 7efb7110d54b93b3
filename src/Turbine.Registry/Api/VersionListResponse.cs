using Turbine.Registry.Domain;

namespace Turbine.Registry.Api;

internal sealed record VersionListResponse(IReadOnlyList<ModelVersion> Versions);
