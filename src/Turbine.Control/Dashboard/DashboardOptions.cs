namespace Turbine.Control.Dashboard;

/// <summary>
/// The web dashboard the control service serves at <c>/dashboard/</c> (docs/dashboard.md): static pages embedded in the
/// assembly and a JSON API under <c>/api/dashboard/</c>, behind the control API's tokens.
/// </summary>
public sealed record DashboardOptions
{
    /// <summary>Serve the dashboard. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The registry the Models page reads and writes; null = <see cref="Api.ControlOptions.RegistryUrl"/>.</summary>
    public Uri? RegistryUrl { get; init; }

    /// <summary>
    /// The token the dashboard sends to the registry when the caller's own bearer token is not a registry token (dev
    /// mode, a static control token). A caller's registry token is always forwarded as is, so the registry's own scopes apply.
    /// </summary>
    public string? RegistryToken { get; init; }

    /// <summary>The monitoring service whose drift summary the Model-health page shows (docs/dashboard.md); null = the page says monitoring is not configured.</summary>
    public Uri? MonitoringUrl { get; init; }

    /// <summary>The payload-log folder (<c>serve --payload-log-dir</c>) the payload browser reads; null = the page says none is configured.</summary>
    public string? PayloadLogDirectory { get; init; }

    /// <summary>
    /// Models the gateway routes outside any deployment (<c>turbine up</c>'s embedded server, behind its catch-all route):
    /// try-it offers them under the pseudo-deployment <see cref="GatewayDeployment"/> and Model health lists them. Default none; at most 1024.
    /// </summary>
    public IReadOnlyList<string> GatewayModels { get; init; } = [];

    /// <summary>The name try-it uses for <see cref="GatewayModels"/>: not a DNS-1123 label, so no deployment can have it.</summary>
    public const string GatewayDeployment = "_gateway";

    /// <summary>How often the sampler records autoscaler and traffic figures. Default 2 s; 250 ms to 60 s.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Points kept per deployment (a ring; 300 × 2 s = 10 minutes). Default 300; 10 to 10 000.</summary>
    public int HistoryPoints { get; init; } = 300;

    /// <summary>Most deployments the sampler keeps history for. Default 256.</summary>
    public int MaxDeployments { get; init; } = 256;

    /// <summary>Largest answer read from the registry, the gateway or monitoring. Default 4 MiB.</summary>
    public int MaxUpstreamBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Longest wait for the registry, the gateway (try-it) or monitoring. Default 15 s.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Problems with these options, empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (SampleInterval < TimeSpan.FromMilliseconds(250) || SampleInterval > TimeSpan.FromSeconds(60))
        {
            problems.Add($"dashboard: SampleInterval must be 250 ms to 60 s, got {SampleInterval}");
        }

        if (HistoryPoints is < 10 or > 10_000)
        {
            problems.Add($"dashboard: HistoryPoints must be 10 to 10000, got {HistoryPoints}");
        }

        if (MaxDeployments is < 1 or > 100_000)
        {
            problems.Add($"dashboard: MaxDeployments must be 1 to 100000, got {MaxDeployments}");
        }

        if (MaxUpstreamBytes is < 1024 or > 256 * 1024 * 1024)
        {
            problems.Add($"dashboard: MaxUpstreamBytes must be 1 KiB to 256 MiB, got {MaxUpstreamBytes}");
        }

        if (UpstreamTimeout <= TimeSpan.Zero || UpstreamTimeout > TimeSpan.FromMinutes(10))
        {
            problems.Add($"dashboard: UpstreamTimeout must be above 0 and at most 10 minutes, got {UpstreamTimeout}");
        }

        if (GatewayModels is null || GatewayModels.Count > 1024 || GatewayModels.Any(m => string.IsNullOrEmpty(m) || m.Length > 256 || m.Any(char.IsControl)))
        {
            problems.Add("dashboard: GatewayModels must hold at most 1024 model names of 1 to 256 characters without control characters");
        }

        foreach (var (name, url) in new[] { ("RegistryUrl", RegistryUrl), ("MonitoringUrl", MonitoringUrl) })
        {
            if (url is not null && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https") || url.UserInfo.Length > 0))
            {
                problems.Add($"dashboard: {name} must be an absolute http:// or https:// URL without user:password, got '{url}'");
            }
        }

        return problems;
    }
}
