using Microsoft.AspNetCore.Http;

namespace Turbine.Gateway.Routing;

/// <summary>Classifies a REST request by method and path (the Open Inference Protocol table, KServe v1 predict, the admin API).</summary>
internal static class RestClassifier
{
    public static (RouteKind Kind, GatewayOperation Operation, string? Model, string? Version, string Protocol) Classify(string method, string path, string metricsPath)
    {
        var get = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        var post = HttpMethods.IsPost(method);
        if (TryClassifyModelPath(path, metricsPath, get, post, out var fast))
        {
            return fast;
        }

        if (path.Length > 1)
        {
            path = path.TrimEnd('/');
        }

        if (get && (path is "/v2" or "/v2/health/live" or "/v2/health/ready" || path == metricsPath))
        {
            return (RouteKind.Local, GatewayOperation.Server, null, null, "rest");
        }

        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length >= 3 && parts[0] == "admin")
        {
            var model = parts[1] == "models" && parts.Length >= 3 ? Uri.UnescapeDataString(parts[2]) : null;
            return (RouteKind.Admin, GatewayOperation.Admin, model, null, "rest");
        }

        if (parts.Length >= 2 && parts[0] == "admin")
        {
            return (RouteKind.Admin, GatewayOperation.Admin, null, null, "rest");
        }

        if (get && parts is ["v1", "models"])
        {
            // KServe v1 list: the gateway's routes, plus the default pool's ready models when a '*' route exists.
            return (RouteKind.ServerWide, GatewayOperation.Metadata, null, null, "v1");
        }

        if (parts.Length >= 3 && parts[0] == "v1" && parts[1] == "models")
        {
            var name = Uri.UnescapeDataString(parts[2]);
            var colon = name.LastIndexOf(':');
            if (post && parts.Length == 3 && colon > 0 && name[(colon + 1)..] is "predict" or "explain")
            {
                // :explain is authorised like :predict (it runs the model), then answered by the transforms.
                return (RouteKind.Model, GatewayOperation.Infer, name[..colon], null, "v1");
            }

            if (get && parts.Length == 3 && colon < 0)
            {
                return (RouteKind.Model, GatewayOperation.Metadata, name, null, "v1");
            }

            return (RouteKind.NotFound, GatewayOperation.Server, null, null, "v1");
        }

        if (parts.Length < 2 || parts[0] != "v2")
        {
            return (RouteKind.NotFound, GatewayOperation.Server, null, null, "rest");
        }

        switch (parts[1])
        {
            case "models" when parts.Length == 3 && parts[2] == "stats" && get:
            case "repository" when parts.Length == 3 && parts[2] == "index" && post:
                return (RouteKind.ServerWide, GatewayOperation.Metadata, null, null, "rest");
            case "repository" when parts.Length == 5 && parts[2] == "models" && parts[4] is "load" or "unload" && post:
                return (RouteKind.Model, GatewayOperation.Admin, Uri.UnescapeDataString(parts[3]), null, "rest");
            case "logging" when parts.Length == 2 && (get || post):
            case "trace" when parts.Length == 3 && parts[2] == "setting" && (get || post):
                return (RouteKind.ServerWide, GatewayOperation.Admin, null, null, "rest");
            case "models" when parts.Length >= 3:
                return Model(parts, get, post);
            default:
                return (RouteKind.NotFound, GatewayOperation.Server, null, null, "rest");
        }
    }

    /// <summary>
    /// The per-request path, <c>/v2/models/{m}[/versions/{v}][/...]</c> in its plain form (no escapes, no empty
    /// segments, no trailing slash), classified from spans: no split array, no segment strings, and the model and
    /// version names from a bounded cache. Anything else goes the general way (same answers, see the tests).
    /// </summary>
    private static bool TryClassifyModelPath(string path, string metricsPath, bool get, bool post, out (RouteKind, GatewayOperation, string?, string?, string) result)
    {
        result = default;
        const string prefix = "/v2/models/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal) || path[^1] == '/' || path == metricsPath
            || path.Contains('%', StringComparison.Ordinal) || path.Contains("//", StringComparison.Ordinal))
        {
            return false;
        }

        var span = path.AsSpan(prefix.Length);
        Span<Range> ranges = stackalloc Range[6];
        var n = span.Split(ranges, '/');
        if (n == ranges.Length || (n == 1 && span is "stats"))
        {
            return false; // longer than any known path (the last range holds the rest), or GET /v2/models/stats
        }

        var model = NameCache.Get(span[ranges[0]]);
        string? version = null;
        var i = 1;
        if (n - i >= 2 && span[ranges[i]] is "versions")
        {
            version = NameCache.Get(span[ranges[i + 1]]);
            i += 2;
        }

        var rest = n - i;
        var first = rest > 0 ? span[ranges[i]] : default;
        result = rest switch
        {
            0 when get => (RouteKind.Model, GatewayOperation.Metadata, model, version, "rest"),
            1 when get && first is "ready" or "config" or "stats" => (RouteKind.Model, GatewayOperation.Metadata, model, version, "rest"),
            1 when post && first is "infer" => (RouteKind.Model, GatewayOperation.Infer, model, version, "rest"),
            2 when (get || post) && first is "trace" && span[ranges[i + 1]] is "setting" => (RouteKind.Model, GatewayOperation.Admin, model, version, "rest"),
            _ => (RouteKind.NotFound, GatewayOperation.Server, null, null, "rest"),
        };
        return true;
    }

    private static (RouteKind, GatewayOperation, string?, string?, string) Model(string[] parts, bool get, bool post)
    {
        var model = Uri.UnescapeDataString(parts[2]);
        string? version = null;
        var rest = parts.AsSpan(3);
        if (rest.Length >= 2 && rest[0] == "versions")
        {
            version = Uri.UnescapeDataString(rest[1]);
            rest = rest[2..];
        }

        return rest switch
        {
            [] when get => (RouteKind.Model, GatewayOperation.Metadata, model, version, "rest"),
            ["ready" or "config" or "stats"] when get => (RouteKind.Model, GatewayOperation.Metadata, model, version, "rest"),
            ["infer"] when post => (RouteKind.Model, GatewayOperation.Infer, model, version, "rest"),
            ["trace", "setting"] when get || post => (RouteKind.Model, GatewayOperation.Admin, model, version, "rest"),
            _ => (RouteKind.NotFound, GatewayOperation.Server, null, null, "rest"),
        };
    }
}
