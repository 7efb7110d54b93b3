using Microsoft.IdentityModel.Tokens;
using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.Auth;

/// <summary>The request-path form of an <see cref="AuthConfig"/>: key digests, the JWT validator, the anonymous grant.</summary>
internal sealed class AuthSnapshot
{
    private AuthSnapshot(AuthConfig config, (byte[] Digest, CallerGrant Grant)[] keys, JwtValidator? jwt, CallerGrant? anonymous)
    {
        Config = config;
        Keys = keys;
        VerifiedKeys = new VerifiedKeyCache(Math.Min(keys.Length, MaxVerifiedKeys));
        Jwt = jwt;
        Anonymous = anonymous;
    }

    public AuthConfig Config { get; }

    public bool Enabled => Config.IsEnabled();

    public (byte[] Digest, CallerGrant Grant)[] Keys { get; }

    /// <summary>Most keys <see cref="VerifiedKeys"/> holds (each entry is compared on every API-key request).</summary>
    public const int MaxVerifiedKeys = 64;

    /// <summary>Presented keys that matched one of <see cref="Keys"/> in this snapshot (at most one per configured key, capped).</summary>
    public VerifiedKeyCache VerifiedKeys { get; }

    public JwtValidator? Jwt { get; }

    /// <summary>What callers without a credential may do; when auth is off, everything.</summary>
    public CallerGrant? Anonymous { get; }

    /// <exception cref="InvalidOperationException">A JWKS file could not be read.</exception>
    public static AuthSnapshot Build(AuthConfig config, JwksSourceCache sources, TimeProvider time)
    {
        var keys = config.ApiKeys
            .Where(k => ApiKeyHasher.IsWellFormed(k.Hash))
            .Select(k => (ApiKeyHasher.DigestOf(k.Hash), new CallerGrant(
                k.Id,
                [.. k.Models],
                AccessRules.ParseOperations(k.Operations),
                [.. k.Roles],
                k.Roles.Contains(config.AdminRole, StringComparer.Ordinal)) { Identity = "key:" + k.Id }))
            .ToArray();

        JwtValidator? jwt = null;
        if (config.Jwt is { } jwtConfig)
        {
            IJwksKeySource source;
            if (jwtConfig.JwksUrl is not null)
            {
                source = sources.Get(new Uri(jwtConfig.JwksUrl), TimeSpan.FromSeconds(jwtConfig.JwksRefreshSeconds));
            }
            else
            {
                var file = jwtConfig.ResolvedJwksFile ?? Path.GetFullPath(jwtConfig.JwksFile!);
                IReadOnlyList<SecurityKey> fileKeys;
                try
                {
                    fileKeys = JwksParser.Parse(File.ReadAllText(file));
                }
                catch (IOException e)
                {
                    throw new InvalidOperationException($"auth.jwt.jwksFile: {file}: {e.Message}", e);
                }

                source = new StaticJwksKeySource(fileKeys);
            }

            jwt = new JwtValidator(jwtConfig, source, time, config.AdminRole);
        }

        CallerGrant? anonymous = null;
        if (!config.IsEnabled())
        {
            anonymous = new CallerGrant(null, ["*"], new HashSet<Routing.GatewayOperation>(Enum.GetValues<Routing.GatewayOperation>()), [], IsAdmin: true);
        }
        else if (config.Anonymous is { } open)
        {
            var operations = AccessRules.ParseOperations(open.Operations);
            operations.Remove(Routing.GatewayOperation.Admin);
            anonymous = new CallerGrant(null, [.. open.Models], operations, [], IsAdmin: false);
        }

        return new AuthSnapshot(config, keys, jwt, anonymous);
    }
}
