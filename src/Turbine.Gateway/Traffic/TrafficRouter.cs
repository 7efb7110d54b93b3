using System.IO.Hashing;
using System.Text;
using Microsoft.AspNetCore.Http;
using Turbine.Gateway.Configuration;
using Turbine.Gateway.Routing;

namespace Turbine.Gateway.Traffic;

/// <summary>
/// Applies a model's traffic policy to one request: weighted split (seeded random), A/B (explicit header/cookie,
/// else a stable XxHash64 of the sticky key), blue-green (the active side), and the shadow draw. Split targets and
/// variants may also choose a model version.
/// </summary>
internal sealed class TrafficRouter(Random random, BlueGreenState blueGreen)
{
    private readonly Lock _lock = new();

    public BlueGreenState BlueGreen => blueGreen;

    public TrafficDecision Decide(string model, ModelRouteConfig route, HttpContext context, GatewayRequestInfo info)
    {
        string pool;
        string? variant = null;
        string? version = null;
        if (route.Split is { } split)
        {
            var target = split[PickWeighted(split.Select(s => s.Weight).ToList(), NextDouble())];
            pool = target.Pool ?? route.Pool!;
            version = target.Version;
            variant = version is null ? pool : pool + "/v" + version;
        }
        else if (route.AbTest is { } ab)
        {
            var chosen = Explicit(ab, context) ?? ab.Variants[PickWeighted(ab.Variants.Select(v => v.Weight).ToList(), StickyFraction(model, StickyKey(ab, context, info)))];
            pool = chosen.Pool ?? route.Pool!;
            version = chosen.Version;
            variant = chosen.Name;
        }
        else if (route.Pool is not null)
        {
            pool = route.Pool;
        }
        else
        {
            var bg = route.BlueGreen!;
            variant = blueGreen.Active(model, bg);
            pool = variant == "green" ? bg.Green! : bg.Blue!;
        }

        string? shadow = null;
        if (route.Shadow is { Pool: { } shadowPool } s && (s.Percent >= 100 || NextDouble() * 100 < s.Percent))
        {
            shadow = shadowPool;
        }

        return new TrafficDecision(pool, variant, shadow, version);
    }

    /// <summary>Index of the bucket that <paramref name="fraction"/> (0..1) falls in, buckets sized by weight.</summary>
    internal static int PickWeighted(IReadOnlyList<double> weights, double fraction)
    {
        var total = weights.Sum(w => Math.Max(0, w));
        var point = fraction * total;
        var last = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            var w = Math.Max(0, weights[i]);
            if (w <= 0)
            {
                continue;
            }

            last = i;
            if (point < w)
            {
                return i;
            }

            point -= w;
        }

        return last;
    }

    /// <summary>A fraction in [0, 1) fixed by model and key: XxHash64, the same in every process and every release.</summary>
    internal static double StickyFraction(string model, string key)
    {
        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(model + "\n" + key));
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    private static AbVariantConfig? Explicit(AbTestConfig ab, HttpContext context)
    {
        string? name = null;
        if (ab.Header is not null && context.Request.Headers.TryGetValue(ab.Header, out var header) && header.Count > 0)
        {
            name = header[0];
        }
        else if (ab.Cookie is not null && context.Request.Cookies.TryGetValue(ab.Cookie, out var cookie))
        {
            name = cookie;
        }

        return name is null ? null : ab.Variants.FirstOrDefault(v => v.Name == name);
    }

    private static string StickyKey(AbTestConfig ab, HttpContext context, GatewayRequestInfo info)
    {
        if (ab.StickyHeader is not null && context.Request.Headers.TryGetValue(ab.StickyHeader, out var value) && value.Count > 0 && !string.IsNullOrEmpty(value[0]))
        {
            return value[0]!;
        }

        return info.CallerIdentity ?? info.CallerKey ?? context.Connection.RemoteIpAddress?.ToString() ?? string.Empty;
    }

    private double NextDouble()
    {
        lock (_lock)
        {
            return random.NextDouble();
        }
    }
}
