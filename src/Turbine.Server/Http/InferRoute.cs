using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Turbine.Server.Http;

/// <summary>
/// The infer route matched by hand, before ASP.NET routing: <c>POST /v2/models/{model}/infer</c> and
/// <c>POST /v2/models/{model}/versions/{version}/infer</c> go straight to <see cref="InferEndpoint"/>, without the
/// endpoint matcher's per-request work (the <c>RouteValueDictionary</c> and its storage, the model name's substring,
/// the endpoint middleware). Only that exact shape is taken — literals compared as routing compares them (ordinal,
/// ignoring case), every segment non-empty, no trailing slash, nothing after <c>infer</c>; any other request (another
/// method, an empty segment, a trailing slash) goes on through routing to the same mapped endpoints as before, which
/// stay registered (OpenAPI lists them, and they answer whatever this leaves). The segments are taken from
/// <see cref="HttpRequest.Path"/> as routing takes route values: already percent-decoded by the server, except
/// <c>%2F</c>, which stays as written.
/// </summary>
internal static class InferRoute
{
    private const string Prefix = "/v2/models/";
    private const string Suffix = "/infer";
    private const string Versions = "/versions/";

    /// <summary>Matches an infer path; the model name and the version segment (null without one) on success.</summary>
    public static bool TryMatch(string path, out string model, out ReadOnlySpan<char> version)
    {
        model = "";
        version = default;
        if (path.Length <= Prefix.Length + Suffix.Length
            || !path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
            || !path.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var middle = path.AsSpan(Prefix.Length, path.Length - Prefix.Length - Suffix.Length);
        var slash = middle.IndexOf('/');
        if (slash < 0)
        {
            // /v2/models/{model}/infer
            if (middle.IsEmpty)
            {
                return false;
            }

            model = ModelName(middle);
            return true;
        }

        // /v2/models/{model}/versions/{version}/infer: one slash before "versions/", none after it.
        var name = middle[..slash];
        var rest = middle[slash..];
        if (name.IsEmpty || !rest.StartsWith(Versions, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var v = rest[Versions.Length..];
        if (v.IsEmpty || v.Contains('/'))
        {
            return false;
        }

        model = ModelName(name);
        version = v;
        return true;
    }

    /// <summary>
    /// Adds the middleware that serves a matched infer request (POST only) and leaves every other request to the rest
    /// of the pipeline. Put it right before <c>UseRouting</c>: after the error, body-budget and metrics-port middleware.
    /// </summary>
    public static void Use(IApplicationBuilder app, Func<HttpContext, string, ReadOnlySpan<char>, Task> infer) =>
        app.Use(next => ctx =>
            HttpMethods.IsPost(ctx.Request.Method) && ctx.Request.Path.Value is { } path && TryMatch(path, out var model, out var version)
                ? infer(ctx, model, version)
                : next(ctx));

    private static readonly string?[] Names = new string?[64];

    /// <summary>The model name's string: a bounded cache keeps the names seen last (no substring per request).</summary>
    private static string ModelName(ReadOnlySpan<char> name)
    {
        if (name.Length > 64)
        {
            return name.ToString();
        }

        var hash = 2166136261u;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619u;
        }

        ref var slot = ref Names[(hash ^ (hash >> 16)) & 63];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && name.SequenceEqual(cached))
        {
            return cached;
        }

        var text = name.ToString();
        Volatile.Write(ref slot, text);
        return text;
    }
}
