using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Turbine.Control.Api;
using Turbine.Control.Reconciling;
using Turbine.Control.Storage;

namespace Turbine.Control.Dashboard;

/// <summary>
/// Composes the dashboard into the control host: the sampler (a hosted service), the upstream clients, the JSON API and
/// the static pages at <c>/dashboard/</c>. The pages are embedded resources served with a strict Content-Security-Policy
/// (scripts and styles from this origin only, no inline script, no frames); they carry no data, so they need no token.
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>Where the pages live on the control port.</summary>
    public const string Path = "/dashboard/";

    /// <summary>The CSP every page and asset is served with.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string ResourcePrefix = "dashboard/";

    private static readonly Lazy<FrozenDictionary<string, byte[]>> Assets = new(Load);

    public static void AddServices(IServiceCollection services, ControlOptions options)
    {
        services.AddSingleton(sp => new DashboardUpstreams(options.Dashboard, options.RegistryUrl));
        services.AddSingleton(sp => new DashboardSampler(
            options.Dashboard,
            sp.GetRequiredService<IControlStore>(),
            sp.GetRequiredService<IDeploymentController>(),
            () => sp.GetService<ControlPlane>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Turbine.Control.Dashboard")));
        services.AddHostedService(sp => sp.GetRequiredService<DashboardSampler>());
    }

    public static void Map(WebApplication app, ControlOptions options)
    {
        var sp = app.Services;
        new DashboardApi(
            sp.GetRequiredService<IControlStore>(),
            sp.GetRequiredService<IDeploymentController>(),
            sp.GetRequiredService<DashboardSampler>(),
            sp.GetRequiredService<DashboardUpstreams>(),
            () => sp.GetService<ControlPlane>(),
            options).Map(app);
        app.MapGet("/", () => Results.Redirect(Path)).ExcludeFromDescription();
        // Routing ignores a trailing slash, so '/dashboard' lands here too: send it to '/dashboard/' (relative asset URLs need the slash).
        app.MapGet(Path + "{*file}", (string? file, HttpContext context) =>
            string.IsNullOrEmpty(file) && context.Request.Path.Value?.EndsWith('/') != true ? Results.Redirect(Path) : Serve(file, context)).ExcludeFromDescription();
    }

    /// <summary>The embedded asset names (for tests).</summary>
    internal static IReadOnlyCollection<string> Names => Assets.Value.Keys;

    private static IResult Serve(string? file, HttpContext context)
    {
        var name = string.IsNullOrEmpty(file) ? "index.html" : file;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        // Only names that were embedded: nothing from the file system, no path to walk.
        return Assets.Value.TryGetValue(name, out var bytes)
            ? Results.Bytes(bytes, ContentType(name))
            : ControlHttp.Error(StatusCodes.Status404NotFound, "not_found", $"the dashboard has no asset '{(name.Length > 80 ? name[..80] + "…" : name)}'");
    }

    private static string ContentType(string name) => System.IO.Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    private static FrozenDictionary<string, byte[]> Load()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var assets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[resource[ResourcePrefix.Length..].Replace('\\', '/')] = copy.ToArray();
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
