using System.CommandLine;
using System.Globalization;
using System.Text;
using Turbine.Core.Payloads;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine payload-logs tail|query</c> (older name <c>turbine logs</c>): reads the payload-log files that
/// <c>serve --payload-log-dir</c> writes. Server logs go to the console (<c>--log-format</c>), not here.
/// </summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var command = new Command("payload-logs", "Read the payload log (the request/response records in the JSON-lines files of serve --payload-log-dir); 'logs' is an older name.");
        command.Aliases.Add("logs");
        command.Subcommands.Add(Create("query", "Print the records that match, oldest first.", follow: false));
        command.Subcommands.Add(Create("tail", "Print the last matching records, then follow new ones until Ctrl+C.", follow: true));
        return command;
    }

    private static Command Create(string name, string description, bool follow)
    {
        var dir = new Option<string>("--dir") { Description = "The payload-log folder.", Required = true };
        var model = new Option<string?>("--model") { Description = "Only this model." };
        var id = new Option<string?>("--id") { Description = "Only this request id." };
        var since = new Option<string?>("--since") { Description = "Only requests started at or after this time (ISO 8601, UTC if no offset)." };
        var until = new Option<string?>("--until") { Description = "Only requests started at or before this time (ISO 8601)." };
        var count = new Option<int?>("-n") { Description = follow ? "Records printed before following (default 10)." : "Print only the last N matches." };
        foreach (var time in new[] { since, until })
        {
            time.Validators.Add(r =>
            {
                var value = r.GetValueOrDefault<string?>();
                if (value is not null && ParseTime(value) is null)
                {
                    r.AddError($"{r.Option.Name} must be an ISO 8601 time like 2026-01-31T12:00:00Z, got '{value}'");
                }
            });
        }

        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 0)
            {
                r.AddError("-n must not be negative");
            }
        });
        var command = new Command(name, description) { dir, model, id, since, until, count };
        command.SetAction(async (parse, ct) =>
        {
            var folder = parse.GetValue(dir)!;
            if (!Directory.Exists(folder))
            {
                await Console.Error.WriteLineAsync($"turbine: error: payload-log folder '{folder}' does not exist").ConfigureAwait(false);
                return 2;
            }

            var filter = new PayloadLogFilter(parse.GetValue(model), parse.GetValue(id), ParseTime(parse.GetValue(since)), ParseTime(parse.GetValue(until)));
            var n = parse.GetValue(count);
            if (!follow)
            {
                // As grep: 0 when something was printed, 1 when nothing matched (said on stderr, stdout stays records only).
                if (Query(folder, filter, n, parse.InvocationConfiguration.Output) > 0)
                {
                    return 0;
                }

                await parse.InvocationConfiguration.Error.WriteLineAsync($"turbine: no payload-log record in '{folder}' matches{Describe(parse.GetValue(model), parse.GetValue(id), parse.GetValue(since), parse.GetValue(until))}").ConfigureAwait(false);
                return 1;
            }

            try
            {
                await TailAsync(folder, filter, n ?? 10, Console.Out, TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        return command;
    }

    /// <summary>Writes the matching records (the last <paramref name="n"/> when given), oldest first.</summary>
    public static int Query(string folder, PayloadLogFilter filter, int? n, TextWriter output)
    {
        var matches = new Queue<string>();
        foreach (var file in FilePayloadSink.ListFiles(folder))
        {
            foreach (var line in ReadLines(file))
            {
                if (filter.Matches(line))
                {
                    matches.Enqueue(line);
                    if (n is { } max && matches.Count > max)
                    {
                        matches.Dequeue();
                    }
                }
            }
        }

        foreach (var line in matches)
        {
            output.WriteLine(line);
        }

        output.Flush();
        return matches.Count;
    }

    /// <summary>The last <paramref name="n"/> matches, then every new matching line (new files included) until cancelled.</summary>
    public static async Task TailAsync(string folder, PayloadLogFilter filter, int n, TextWriter output, TimeSpan poll, CancellationToken cancellationToken)
    {
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        Query(folder, filter, n, output);
        foreach (var file in FilePayloadSink.ListFiles(folder))
        {
            positions[file] = CompleteLength(file);
        }

        while (true)
        {
            await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
            foreach (var file in FilePayloadSink.ListFiles(folder))
            {
                var from = positions.GetValueOrDefault(file);
                var (lines, end) = ReadNewLines(file, from);
                positions[file] = end;
                foreach (var line in lines.Where(filter.Matches))
                {
                    await output.WriteLineAsync(line).ConfigureAwait(false);
                }
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>" id 'x', model 'm'" for the filters given; empty when none.</summary>
    private static string Describe(string? model, string? id, string? since, string? until)
    {
        var parts = new List<string>();
        if (id is not null)
        {
            parts.Add($"id '{id}'");
        }

        if (model is not null)
        {
            parts.Add($"model '{model}'");
        }

        if (since is not null)
        {
            parts.Add($"since {since}");
        }

        if (until is not null)
        {
            parts.Add($"until {until}");
        }

        return parts.Count == 0 ? " (the folder has no records)" : " " + string.Join(", ", parts);
    }

    private static DateTimeOffset? ParseTime(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    private static IEnumerable<string> ReadLines(string file)
    {
        var (lines, _) = ReadNewLines(file, 0);
        return lines;
    }

    private static long CompleteLength(string file) => ReadNewLines(file, 0).End;

    /// <summary>Complete lines from <paramref name="from"/> on (a line still being written is left for later), and where they end.</summary>
    private static (List<string> Lines, long End) ReadNewLines(string file, long from)
    {
        var lines = new List<string>();
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length <= from)
            {
                return (lines, from);
            }

            stream.Position = from;
            var bytes = new byte[stream.Length - from];
            stream.ReadExactly(bytes);
            var last = Array.LastIndexOf(bytes, (byte)'\n');
            if (last < 0)
            {
                return (lines, from);
            }

            foreach (var line in Encoding.UTF8.GetString(bytes, 0, last).Split('\n'))
            {
                lines.Add(line.TrimEnd('\r'));
            }

            return (lines, from + last + 1);
        }
        catch (FileNotFoundException)
        {
            return (lines, from); // deleted by retention between listing and reading
        }
    }
}
