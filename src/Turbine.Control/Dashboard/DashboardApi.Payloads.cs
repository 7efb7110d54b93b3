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
/// The payload browser: the newest records of the payload logs the control service knows — the configured folder
/// (<see cref="DashboardOptions.PayloadLogDirectory"/>, e.g. <c>turbine up</c>'s embedded server) and every local
/// replica's own folder (<c>&lt;replica folder&gt;/payloads</c>, which the runtime passes as <c>serve --payload-log-dir</c>)
/// — merged newest first and filtered by model, request id, status and time. Files are read newest first until the
/// answer is complete (a file last written before the oldest record kept cannot hold a newer one), at most
/// <see cref="MaxScanBytes"/> in all; at most 200 records; a line that is not JSON is skipped; only regular files.
/// </summary>
internal sealed partial class DashboardApi
{
    private const long MaxScanBytes = 32L * 1024 * 1024;
    private const int MaxRecords = 200;
    private const int MaxSources = 4096;

    private void MapPayloads(RouteGroupBuilder api) => api.MapGet("/payloads", (Func<HttpContext, IResult>)Payloads);

    /// <summary>Whether the payload browser has anywhere to read: a configured folder or a local replica runtime.</summary>
    private bool HasPayloadSources => options.Dashboard.PayloadLogDirectory is not null || plane()?.Runtime is not null;

    private IResult Payloads(HttpContext context)
    {
        if (!HasPayloadSources)
        {
            return ControlHttp.Json(new { configured = false, message = "no payload-log folder is configured (DashboardOptions.PayloadLogDirectory) and no local replicas run here", records = Array.Empty<object>() });
        }

        var caller = context.GetCaller();
        var q = context.Request.Query;
        string? model = Text(q["model"]), id = Text(q["id"]), status = Text(q["status"]), deployment = Text(q["deployment"]);
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

        var files = PayloadSources(caller, deployment)
            .SelectMany(source => FilePayloadSink.ListFiles(source.Folder).Select(file => (source, info: new FileInfo(file))))
            .Where(f => f.info.LinkTarget is null && (f.info.Attributes & FileAttributes.ReparsePoint) == 0) // only regular files
            .OrderByDescending(f => f.info.LastWriteTimeUtc)
            .ToList();
        var kept = new List<(DateTimeOffset Start, JsonNode Node)>();
        long scanned = 0;
        foreach (var (source, info) in files)
        {
            // Records are written after they start, so a file last written before the oldest kept start holds nothing newer.
            if (scanned >= MaxScanBytes || (kept.Count >= limit && info.LastWriteTimeUtc < kept[^1].Start.UtcDateTime))
            {
                break;
            }

            var take = Math.Min(info.Length, MaxScanBytes - scanned);
            scanned += take;
            List<string> lines;
            try
            {
                lines = ReadTail(info.FullName, take);
            }
            catch (IOException)
            {
                continue; // rotated away between the listing and the read
            }

            for (var i = lines.Count - 1; i >= 0; i--)
            {
                // A token limited to some models sees only their records.
                if (Match(lines[i], model, id, status, since, until) is { } node && caller.MayTouch(node["model"]?.GetValueKind() == JsonValueKind.String ? node["model"]!.GetValue<string>() : ""))
                {
                    if (source.Deployment is not null)
                    {
                        node["deployment"] = source.Deployment;
                        node["replica"] = source.Replica;
                    }

                    kept.Add((StartOf(node), node));
                }
            }

            kept.Sort((a, b) => b.Start.CompareTo(a.Start));
            if (kept.Count > limit)
            {
                kept.RemoveRange(limit, kept.Count - limit);
            }
        }

        return ControlHttp.Json(new { configured = true, records = kept.Select(k => k.Node).ToList() });
    }

    /// <summary>
    /// The configured folder, then each local replica's payload folder (<c>&lt;work&gt;/&lt;deployment&gt;/&lt;replica&gt;/payloads</c>) of the
    /// deployments <paramref name="caller"/> may see (only <paramref name="deployment"/>'s when given); at most <see cref="MaxSources"/>.
    /// </summary>
    private IEnumerable<(string Folder, string? Deployment, string? Replica)> PayloadSources(ControlCaller caller, string? deployment)
    {
        var count = 0;
        if (deployment is null && options.Dashboard.PayloadLogDirectory is { } folder)
        {
            count++;
            yield return (folder, null, null);
        }

        if (plane()?.Runtime?.Options.WorkDirectory is not { Length: > 0 } work || !Directory.Exists(work))
        {
            yield break;
        }

        foreach (var deploymentFolder in new DirectoryInfo(work).EnumerateDirectories().OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            var name = deploymentFolder.Name;
            if ((deploymentFolder.Attributes & FileAttributes.ReparsePoint) != 0 || !caller.MayTouch(name) || (deployment is not null && name != deployment))
            {
                continue;
            }

            foreach (var replica in deploymentFolder.EnumerateDirectories().OrderBy(d => d.Name, StringComparer.Ordinal))
            {
                var payloads = new DirectoryInfo(Path.Combine(replica.FullName, Runtime.LocalProcessRuntime.PayloadFolderName));
                if ((replica.Attributes & FileAttributes.ReparsePoint) != 0 || !payloads.Exists || (payloads.Attributes & FileAttributes.ReparsePoint) != 0)
                {
                    continue;
                }

                if (++count > MaxSources)
                {
                    yield break;
                }

                yield return (payloads.FullName, name, replica.Name);
            }
        }
    }

    private static DateTimeOffset StartOf(JsonNode node) =>
        node["start"] is JsonValue v && v.TryGetValue<string>(out var text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start) ? start : DateTimeOffset.MinValue;

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

    /// <summary>
    /// The complete lines in the last <paramref name="bytes"/> bytes of <paramref name="path"/>; none unless it is a regular
    /// file when opened (opened without following a link and without blocking, so a FIFO planted there cannot hang the call).
    /// </summary>
    private static List<string> ReadTail(string path, long bytes)
    {
        using var handle = Turbine.Core.Repository.NativeFiles.OpenReadNoFollow(path);
        if (handle is null || !Turbine.Core.Repository.NativeFiles.TryStat(handle, out var stat) || !stat.IsRegularFile)
        {
            return [];
        }

        using var stream = new FileStream(handle, FileAccess.Read);
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
