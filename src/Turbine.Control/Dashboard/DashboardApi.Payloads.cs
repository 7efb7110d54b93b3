using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Turbine.Control.Api;
using Turbine.Core.Payloads;

namespace Turbine.Control.Dashboard;

/// <summary>
/// The payload browser: the newest records of the payload-log folder (<c>serve --payload-log-dir</c>), filtered by
/// model, request id, status and time. Reads at most <see cref="MaxScanBytes"/> from the newest files back, answers at
/// most 200 records; a line that is not JSON is skipped.
/// </summary>
internal sealed partial class DashboardApi
{
    private const long MaxScanBytes = 32L * 1024 * 1024;
    private const int MaxRecords = 200;

    private void MapPayloads(RouteGroupBuilder api) => api.MapGet("/payloads", (Func<HttpContext, IResult>)Payloads);

    private IResult Payloads(HttpContext context)
    {
        if (options.Dashboard.PayloadLogDirectory is not { } folder)
        {
            return ControlHttp.Json(new { configured = false, message = "no payload-log folder is configured (DashboardOptions.PayloadLogDirectory)", records = Array.Empty<object>() });
        }

        var caller = context.GetCaller();
        var q = context.Request.Query;
        string? model = Text(q["model"]), id = Text(q["id"]), status = Text(q["status"]);
        DateTimeOffset? since = null, until = null;
        if (Text(q["since"]) is { } s)
        {
            if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            {
                return ControlHttp.Error(StatusCodes.Status400BadRequest, "invalid_time", $"since must be an ISO 8601 time like 2026-01-31T12:00:00Z, got '{Cut(s)}'");
            }

            since = t;
        }

        if (Text(q["until"]) is { } u)
        {
            if (!DateTimeOffset.TryParse(u, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            {
                return ControlHttp.Error(StatusCodes.Status400BadRequest, "invalid_time", $"until must be an ISO 8601 time like 2026-01-31T12:00:00Z, got '{Cut(u)}'");
            }

            until = t;
        }

        var limit = 50;
        if (Text(q["limit"]) is { } l && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxRecords))
        {
            return ControlHttp.Error(StatusCodes.Status400BadRequest, "invalid_limit", $"limit must be a whole number from 1 to {MaxRecords}, got '{Cut(l)}'");
        }

        var records = new List<JsonNode>();
        long scanned = 0;
        foreach (var file in FilePayloadSink.ListFiles(folder).Reverse())
        {
            if (records.Count >= limit || scanned >= MaxScanBytes)
            {
                break;
            }

            var info = new FileInfo(file);
            if (info.LinkTarget is not null || (info.Attributes & FileAttributes.ReparsePoint) != 0)
            {
                continue; // only regular files
            }

            var take = Math.Min(info.Length, MaxScanBytes - scanned);
            scanned += take;
            var lines = ReadTail(file, take);
            for (var i = lines.Count - 1; i >= 0 && records.Count < limit; i--)
            {
                // A token limited to some models sees only their records.
                if (Match(lines[i], model, id, status, since, until) is { } node && caller.MayTouch(node["model"]?.GetValueKind() == JsonValueKind.String ? node["model"]!.GetValue<string>() : ""))
                {
                    records.Add(node);
                }
            }
        }

        return ControlHttp.Json(new { configured = true, records });
    }

    private static JsonNode? Match(string line, string? model, string? id, string? status, DateTimeOffset? since, DateTimeOffset? until)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return null;
        }

        if (node is not JsonObject o)
        {
            return null;
        }

        string? Get(string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
        if ((model is not null && Get("model") != model) || (id is not null && Get("id") != id))
        {
            return null;
        }

        if (status is not null && !(status == "error" ? Get("status") is { } st && st != "ok" : string.Equals(Get("status"), status, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        if (since is not null || until is not null)
        {
            if (!DateTimeOffset.TryParse(Get("start"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start)
                || start < since || start > until)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>The complete lines in the last <paramref name="bytes"/> bytes of <paramref name="path"/>.</summary>
    private static List<string> ReadTail(string path, long bytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var start = Math.Max(0, stream.Length - bytes);
        stream.Seek(start, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = new List<string>();
        if (start > 0)
        {
            reader.ReadLine(); // a partial first line
        }

        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    private static string? Text(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1 && !string.IsNullOrWhiteSpace(values[0]) ? values[0] : null;

    private static string Cut(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
