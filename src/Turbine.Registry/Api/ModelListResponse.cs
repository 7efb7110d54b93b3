using Turbine.Registry.Domain;

namespace Turbine.Registry.Api;

internal sealed record ModelListResponse(IReadOnlyList<RegisteredModel> Models);
