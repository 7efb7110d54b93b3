using Turbine.Registry.Domain;

namespace Turbine.Registry.Api;

internal sealed record TokenListResponse(IReadOnlyList<ApiToken> Tokens);
