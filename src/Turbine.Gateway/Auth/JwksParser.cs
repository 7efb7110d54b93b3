using Microsoft.IdentityModel.Tokens;

namespace Turbine.Gateway.Auth;

/// <summary>Reads a JSON Web Key Set into signing keys.</summary>
internal static class JwksParser
{
    /// <exception cref="InvalidOperationException">The text is not a JWKS.</exception>
    public static IReadOnlyList<SecurityKey> Parse(string json)
    {
        try
        {
            var set = new JsonWebKeySet(json);
            return [.. set.GetSigningKeys()];
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }
}
