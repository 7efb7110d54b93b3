using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Turbine.Hosting;

namespace Turbine.Control.Api;

/// <summary>
/// The rules <see cref="ControlOptions"/> must meet: <see cref="ControlHost.StartAsync"/> refuses options that break one
/// (<see cref="ArgumentException"/> listing every problem), and a host composed with
/// <see cref="ControlServiceCollectionExtensions.AddTurbineControl"/> fails at start (<c>ValidateOnStart</c>).
/// </summary>
public sealed class ControlOptionsValidator : IValidateOptions<ControlOptions>
{
    /// <summary>Largest <see cref="ControlOptions.MaxSpecBytes"/> allowed (the spec parser's own limit).</summary>
    public const int MaxSpecBytesLimit = Specs.InferenceServiceParser.MaxDocumentBytes;

    /// <summary>Every problem with <paramref name="options"/>; empty when valid.</summary>
    /// <param name="options">The options to check.</param>
    public static IReadOnlyList<string> Problems(ControlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        problems.AddRange(options.Dashboard.Problems());
        if (HostOptionRules.Host(options.Host) is { } host)
        {
            problems.Add(host);
        }
        else if (options.Dev && !IPAddress.IsLoopback(HostOptionRules.Address(options.Host)))
        {
            problems.Add($"--dev runs without tokens and is allowed only on a loopback host, not '{options.Host}'");
        }

        if (HostOptionRules.Port("--port", options.Port) is { } port)
        {
            problems.Add(port);
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory) && options.DatabasePath is null)
        {
            problems.Add("--data must name a folder");
        }

        if (options.DatabasePath is { } db && string.IsNullOrWhiteSpace(db))
        {
            problems.Add("--database must name a file");
        }

        if (options.RegistryUrl is { } registry && (!registry.IsAbsoluteUri || registry.Scheme is not ("http" or "https")))
        {
            problems.Add($"--registry-url must be an http:// or https:// URL, got '{registry}'");
        }

        if (!options.Dev && options.RegistryUrl is null && options.StaticTokens.Count == 0)
        {
            problems.Add("no way to check tokens: give --registry-url, static tokens (--tokens-file), or --dev on a loopback host");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in options.StaticTokens)
        {
            if (token is null)
            {
                problems.Add("a static token is null");
                continue;
            }

            if (string.IsNullOrWhiteSpace(token.Name) || token.Name.Length > 128)
            {
                problems.Add("a static token needs a name of 1..128 characters");
            }
            else if (!names.Add(token.Name))
            {
                problems.Add($"static token name '{token.Name}' is used twice");
            }

            if (token.Secret is null || token.Secret.Length < ControlStaticToken.MinSecretLength || token.Secret.Any(char.IsWhiteSpace))
            {
                problems.Add($"static token '{token.Name}': the secret must be at least {ControlStaticToken.MinSecretLength} characters without spaces");
            }

            if (!Enum.IsDefined(token.Scope))
            {
                problems.Add($"static token '{token.Name}': unknown scope {((int)token.Scope).ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (options.MaxSpecBytes is < 1 or > MaxSpecBytesLimit)
        {
            problems.Add($"the spec size limit must be 1..{MaxSpecBytesLimit.ToString(CultureInfo.InvariantCulture)} bytes, got {options.MaxSpecBytes.ToString(CultureInfo.InvariantCulture)}");
        }

        if (options.TokenCacheTtl < TimeSpan.Zero || options.TokenCacheTtl > TimeSpan.FromHours(1))
        {
            problems.Add($"the token cache TTL must be 0..1 h, got {options.TokenCacheTtl}");
        }

        if (options.TokenCacheSize is < 1 or > 1_000_000)
        {
            problems.Add($"the token cache size must be 1..1000000, got {options.TokenCacheSize.ToString(CultureInfo.InvariantCulture)}");
        }

        if (options.RegistryTimeout <= TimeSpan.Zero || options.RegistryTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add($"the registry timeout must be above 0 and at most 5 min, got {options.RegistryTimeout}");
        }

        if (options.MaxEventsPerRequest is < 1 or > 1000)
        {
            problems.Add($"the events-per-request limit must be 1..1000, got {options.MaxEventsPerRequest.ToString(CultureInfo.InvariantCulture)}");
        }

        if (options.TimeProvider is null)
        {
            problems.Add("a TimeProvider is required");
        }

        return problems;
    }

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ControlOptions options) =>
        Problems(options) is [_, ..] problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
