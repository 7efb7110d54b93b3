using Turbine.Registry.Domain;

namespace Turbine.Registry.Api;

internal sealed record VersionLineageResponse(ModelVersion Version, IReadOnlyList<ModelVersion> Ancestors, IReadOnlyList<ModelVersion> Descendants);
