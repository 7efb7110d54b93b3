using System.Runtime.CompilerServices;
using Microsoft.IdentityModel.Tokens;

namespace Turbine.Gateway.Auth;

/// <summary>Reads a JSON Web Key Set into signing keys.</summary>
internal static class JwksParser
{
    private static readonly ConditionalWeakTable<SecurityKey, string> Algorithms = [];

    /// <summary>The <c>alg</c> the key's JWK names (a token signed with another algorithm is refused); null when it names none.</summary>
    public static string? AlgorithmOf(SecurityKey key) => Algorithms.TryGetValue(key, out var alg) ? alg : null;

    /// <exception cref="InvalidOperationException">The text is not a JWKS.</exception>
    public static IReadOnlyList<SecurityKey> Parse(string json)
    {
        try
        {
            var set = new JsonWebKeySet(json);
            var keys = new List<SecurityKey>();
            foreach (var jwk in set.Keys)
            {
                // One key at a time, so each signing key keeps the algorithm its JWK names.
                var single = new JsonWebKeySet();
                single.Keys.Add(jwk);
                foreach (var key in single.GetSigningKeys())
                {
                    if (!string.IsNullOrEmpty(jwk.Alg))
                    {
                        Algorithms.AddOrUpdate(key, jwk.Alg);
                    }

                    keys.Add(key);
                }
            }

            return keys;
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }
}
