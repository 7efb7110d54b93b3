using Turbine.Gateway.Auth;

namespace Turbine.Gateway.Configuration;

/// <summary><c>auth.jwt</c>: JWT bearer tokens checked against an issuer, audiences and JWKS signing keys.</summary>
public sealed record JwtConfig
{
    /// <summary>Accepted issuer (<c>iss</c>); or list several in <see cref="Issuers"/>.</summary>
    public string? Issuer { get; init; }

    public List<string> Issuers { get; init => field = value ?? []; } = [];

    /// <summary>Accepted audience (<c>aud</c>); or list several in <see cref="Audiences"/>.</summary>
    public string? Audience { get; init; }

    public List<string> Audiences { get; init => field = value ?? []; } = [];

    /// <summary>JWKS file, relative to the config file's folder. Exactly one of this and <see cref="JwksUrl"/>.</summary>
    public string? JwksFile { get; init; }

    /// <summary>JWKS URL (http/https), fetched, cached and refreshed; a failed refresh keeps the last keys.</summary>
    public string? JwksUrl { get; init; }

    /// <summary>How often the JWKS URL is fetched again. Default 300 s.</summary>
    public double JwksRefreshSeconds { get; init; } = 300;

    /// <summary>Tolerance on <c>exp</c>/<c>nbf</c>. Default 60 s.</summary>
    public double ClockSkewSeconds { get; init; } = 60;

    /// <summary>Claim holding the caller's identity (the caller key). Default <c>sub</c>.</summary>
    public string SubjectClaim { get; init; } = "sub";

    /// <summary>Claim with allowed model globs (a string, space/comma separated, or an array). Default <c>models</c>.</summary>
    public string ModelsClaim { get; init; } = "models";

    /// <summary>Claim with role names (string or array). Default <c>roles</c>.</summary>
    public string RolesClaim { get; init; } = "roles";

    /// <summary>Claim with allowed operations (string or array); absent = server, metadata, infer. Default <c>operations</c>.</summary>
    public string OperationsClaim { get; init; } = "operations";

    /// <summary>
    /// Signature algorithms accepted (<c>alg</c> of the token header). A key whose JWK names an <c>alg</c> accepts only
    /// that one. Default: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512.
    /// </summary>
    public List<string> Algorithms { get; init => field = value ?? []; } = [.. DefaultAlgorithms];

    /// <summary>The asymmetric algorithms accepted when <see cref="Algorithms"/> is not set.</summary>
    public static readonly IReadOnlyList<string> DefaultAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <summary>Full path of <see cref="JwksFile"/>, resolved against the config folder during validation.</summary>
    internal string? ResolvedJwksFile { get; set; }

    /// <summary>The accepted issuers (<see cref="Issuer"/> and <see cref="Issuers"/>).</summary>
    public IReadOnlyList<string> AllIssuers() => Combine(Issuer, Issuers);

    /// <summary>The accepted audiences (<see cref="Audience"/> and <see cref="Audiences"/>).</summary>
    public IReadOnlyList<string> AllAudiences() => Combine(Audience, Audiences);

    internal void Validate(string path, ConfigValidationContext context)
    {
        if (AllIssuers().Count == 0)
        {
            context.Error($"{path}.issuer", "required: the token issuer (iss) to accept");
        }

        if (AllAudiences().Count == 0)
        {
            context.Error($"{path}.audience", "required: the audience (aud) tokens must be issued for");
        }

        if (JwksFile is null == (JwksUrl is null))
        {
            context.Error(path, "set exactly one of jwksFile and jwksUrl (where the signing keys come from)");
        }

        if (JwksFile is not null)
        {
            ValidateJwksFile(path, context);
        }

        if (JwksUrl is not null
            && (!Uri.TryCreate(JwksUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            context.Error($"{path}.jwksUrl", $"expected an absolute http(s) URL, got '{JwksUrl}'");
        }

        if (!(JwksRefreshSeconds >= 1))
        {
            context.Error($"{path}.jwksRefreshSeconds", $"expected at least 1, got {JwksRefreshSeconds}");
        }

        if (!(ClockSkewSeconds >= 0))
        {
            context.Error($"{path}.clockSkewSeconds", $"expected 0 or more, got {ClockSkewSeconds}");
        }

        for (var i = 0; i < Algorithms.Count; i++)
        {
            if (!DefaultAlgorithms.Contains(Algorithms[i], StringComparer.Ordinal))
            {
                context.Error($"{path}.algorithms[{i}]", $"unknown or unsupported algorithm '{Algorithms[i]}'; expected some of {string.Join(", ", DefaultAlgorithms)}");
            }
        }

        if (Algorithms.Count == 0)
        {
            context.Error($"{path}.algorithms", "must list at least one algorithm");
        }

        foreach (var (name, value) in new[] { ("subjectClaim", SubjectClaim), ("modelsClaim", ModelsClaim), ("rolesClaim", RolesClaim), ("operationsClaim", OperationsClaim) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                context.Error($"{path}.{name}", "must not be empty");
            }
        }
    }

    private void ValidateJwksFile(string path, ConfigValidationContext context)
    {
        var full = Path.GetFullPath(Path.Combine(context.BaseDirectory, JwksFile!));
        if (!File.Exists(full))
        {
            context.Error($"{path}.jwksFile", $"file not found: {full}");
            return;
        }

        try
        {
            var keys = JwksParser.Parse(File.ReadAllText(full));
            if (keys.Count == 0)
            {
                context.Error($"{path}.jwksFile", $"{full}: the key set has no usable signing keys");
                return;
            }
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException)
        {
            context.Error($"{path}.jwksFile", $"{full}: not a JSON Web Key Set: {e.Message}");
            return;
        }

        ResolvedJwksFile = full;
    }

    private static List<string> Combine(string? one, List<string> many)
    {
        var all = new List<string>();
        if (!string.IsNullOrWhiteSpace(one))
        {
            all.Add(one);
        }

        all.AddRange(many.Where(v => !string.IsNullOrWhiteSpace(v)));
        return all;
    }
}
