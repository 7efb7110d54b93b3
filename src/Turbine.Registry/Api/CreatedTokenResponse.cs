using Turbine.Registry.Domain;

namespace Turbine.Registry.Api;

internal sealed record CreatedTokenResponse(long Id, string Name, TokenRole Role, string Models, string Token);
