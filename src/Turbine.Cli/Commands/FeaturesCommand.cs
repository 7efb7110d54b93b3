using System.CommandLine;
using System.Globalization;
using Turbine.Cli.Progress;
using Turbine.Features.Definitions;
using Turbine.Features.Historical;
using Turbine.Features.Materialization;
using Turbine.Features.Online;
using Turbine.Features.Server;
using Turbine.Features.Serving;
using Turbine.Features.Sources;
using Turbine.Features.Values;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine features apply|materialize|materialize-incremental|get-historical|get-online|serve</c>: the feature
/// store over a feature repository folder (docs/features.md).
/// </summary>
internal static class FeaturesCommand
{
    public static Command Create()
    {
        var command = new Command("features", "Feature store: definitions, materialization, training sets and the Feast-compatible feature server (docs/features.md).");
        command.Subcommands.Add(Apply());
        command.Subcommands.Add(Materialize(incremental: false));
        command.Subcommands.Add(Materialize(incremental: true));
        command.Subcommands.Add(Historical());
        command.Subcommands.Add(Online());
        command.Subcommands.Add(Serve());
        return command;
    }

    private static Option<string> RepoOption() => new("--repo") { Description = "The feature repository folder (its *.yaml definitions).", DefaultValueFactory = _ => "." };

    private static Option<string?> RedisOption() => new("--redis") { Description = "Use this Redis (host:port) as online store instead of the repository's." };

    private static async Task<int> RunAsync(ParseResult parse, Func<Task<int>> body)
    {
        var error = parse.InvocationConfiguration.Error;
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (FeatureRepoException e)
        {
            await error.WriteLineAsync("turbine: error: " + e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (OnlineStoreUnavailableException e)
        {
            await error.WriteLineAsync("turbine: error: " + e.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private static Command Apply()
    {
        var repo = RepoOption();
        var force = new Option<bool>("--force") { Description = "Register a breaking change (a feature removed or retyped, entities changed)." };
        var command = new Command("apply", "Validate the definitions and register them as a new version; a breaking change is refused unless --force.") { repo, force };
        command.SetAction((parse, _) => RunAsync(parse, async () =>
        {
            var definitions = FeatureRepoLoader.Load(parse.GetValue(repo)!);
            var result = FeatureRegistry.Apply(definitions, parse.GetValue(force));
            foreach (var change in result.Changes)
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(change).ConfigureAwait(false);
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync(result.Changes.Count == 0 ? $"no changes (version {result.Version})" : $"applied version {result.Version}{(result.Forced ? " (forced over: " + string.Join("; ", result.Breaking) + ")" : string.Empty)}").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Materialize(bool incremental)
    {
        var repo = RepoOption();
        var redis = RedisOption();
        var start = new Argument<string>("START") { Description = "Window start (ISO 8601, UTC if no offset)." };
        var end = new Argument<string>("END") { Description = "Window end (ISO 8601)." };
        var views = new Option<string[]>("--views") { Description = "Only these feature views.", AllowMultipleArgumentsPerToken = true };
        var command = incremental
            ? new Command("materialize-incremental", "Load each view's latest values from where the last run ended (or END minus the view's ttl) to END.") { end, repo, redis, views }
            : new Command("materialize", "Load the latest value per entity with event time in [START, END] into the online store (resumable).") { start, end, repo, redis, views };
        command.SetAction((parse, ct) => RunAsync(parse, async () =>
        {
            var definitions = FeatureRepoLoader.Load(parse.GetValue(repo)!);
            var endTime = Time(parse.GetValue(end)!, "END");
            await using var store = await OnlineStores.OpenAsync(definitions, parse.GetValue(redis)).ConfigureAwait(false);
            var materializer = new Materializer(definitions, store);
            var selected = parse.GetValue(views) is { Length: > 0 } v ? v : null;
            var totals = new Dictionary<string, int?>(StringComparer.Ordinal);
            foreach (var view in selected ?? definitions.FeatureViews.Values.Where(x => x.Online).Select(x => x.Name))
            {
                if (definitions.FeatureViews.TryGetValue(view, out var fv))
                {
                    var source = definitions.Sources[fv.Source];
                    totals[view] = await SourceReader.CountRowGroupsAsync(source.Path, source.Format, ct).ConfigureAwait(false);
                }
            }

            var displays = new Dictionary<string, (ProgressDisplay Display, int Groups)>(StringComparer.Ordinal);
            var progress = new Progress<MaterializeProgress>(p =>
            {
                if (!displays.TryGetValue(p.View, out var d))
                {
                    d = (ProgressDisplay.ForStandardError(p.View), 0);
                }

                d.Groups++;
                displays[p.View] = d;
                var total = totals.GetValueOrDefault(p.View);
                d.Display.Update(total is > 0 ? (double)d.Groups / total.Value : 0, $"{p.File} row group {p.RowGroup}: {p.RowsRead:N0} rows read, {p.RowsWritten:N0} entities written{(p.Resumed ? " (resumed)" : string.Empty)}");
            });
            var results = incremental
                ? await materializer.MaterializeIncrementalAsync(endTime, selected, progress, ct).ConfigureAwait(false)
                : await materializer.MaterializeAsync(Time(parse.GetValue(start)!, "START"), endTime, selected, progress, ct).ConfigureAwait(false);
            foreach (var r in results)
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{r.View}: {r.Start:O} .. {r.End:O}: {r.RowsRead:N0} rows read, {r.RowsInWindow:N0} in the window, {r.EntitiesWritten:N0} entities written{(r.RowGroupsSkipped > 0 ? $", resumed after {r.RowGroupsSkipped} row groups" : string.Empty)}")).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    private static Command Historical()
    {
        var repo = RepoOption();
        var entities = new Option<string>("--entities") { Description = "Entity dataframe (Parquet or CSV, a local file or s3://bucket/key): join keys, event_timestamp, request data.", Required = true };
        var features = new Option<string[]>("--features") { Description = "Feature references (view or view:feature).", AllowMultipleArgumentsPerToken = true };
        var service = new Option<string?>("--feature-service") { Description = "A feature service instead of --features." };
        var output = new Option<string>("-o", "--output") { Description = "Output Parquet file (local, or s3://bucket/key: uploaded whole once written).", Required = true };
        var full = new Option<bool>("--full-feature-names") { Description = "Name columns view__feature." };
        var tsColumn = new Option<string>("--timestamp-column") { Description = "The entity dataframe's time column.", DefaultValueFactory = _ => "event_timestamp" };
        var command = new Command("get-historical", "Build a point-in-time-correct training set: for each entity row at T, each view's latest values at or before T within its ttl.") { repo, entities, features, service, output, full, tsColumn };
        command.SetAction((parse, ct) => RunAsync(parse, async () =>
        {
            var definitions = FeatureRepoLoader.Load(parse.GetValue(repo)!);
            var plan = parse.GetValue(service) is { } s ? FeatureResolver.ResolveService(definitions, s) : FeatureResolver.Resolve(definitions, parse.GetValue(features) ?? []);
            var result = await HistoricalRetriever.RunAsync(definitions, plan, parse.GetValue(entities)!, parse.GetValue(output)!, parse.GetValue(full), parse.GetValue(tsColumn)!, cancellationToken: ct).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"{parse.GetValue(output)}: {result.Rows:N0} rows, columns {string.Join(", ", result.Columns)} ({result.SourceRowsRead:N0} source rows read)").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Online()
    {
        var repo = RepoOption();
        var redis = RedisOption();
        var features = new Option<string[]>("--features") { Description = "Feature references (view or view:feature).", AllowMultipleArgumentsPerToken = true };
        var service = new Option<string?>("--feature-service") { Description = "A feature service instead of --features." };
        var entity = new Option<string[]>("--entity") { Description = "name=v1,v2,… (join keys and request data); repeat per column.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("get-online", "Read online features from the store and print Feast's JSON response.") { repo, redis, features, service, entity };
        command.SetAction((parse, ct) => RunAsync(parse, async () =>
        {
            var definitions = FeatureRepoLoader.Load(parse.GetValue(repo)!);
            var columns = new Dictionary<string, IReadOnlyList<object?>>(StringComparer.Ordinal);
            foreach (var e in parse.GetValue(entity) ?? [])
            {
                var eq = e.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new FeatureRepoException($"--entity '{e}': expected name=v1,v2");
                }

                columns[e[..eq]] = e[(eq + 1)..].Split(',').Select(v => (object?)v).ToArray();
            }

            await using var store = await OnlineStores.OpenAsync(definitions, parse.GetValue(redis)).ConfigureAwait(false);
            var result = await new OnlineFeatureService(definitions, store).GetAsync(parse.GetValue(features), parse.GetValue(service), columns, false, ct).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Indented = true }))
            {
                FeastJson.WriteOnlineResponse(writer, result);
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray())).ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    private static Command Serve()
    {
        var repo = RepoOption();
        var redis = RedisOption();
        var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port (Feast's default 6566).", DefaultValueFactory = _ => 6566 };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                r.AddError($"--port must be between 0 and 65535, got {r.GetValueOrDefault<int>()}");
            }
        });
        var command = new Command("serve", "Serve Feast's feature-server HTTP API: /get-online-features, /push, /materialize, /materialize-incremental, /health.") { repo, redis, host, port };
        command.SetAction((parse, ct) => RunAsync(parse, async () =>
        {
            var definitions = FeatureRepoLoader.Load(parse.GetValue(repo)!);
            await using var store = await OnlineStores.OpenAsync(definitions, parse.GetValue(redis)).ConfigureAwait(false);
            using var metrics = new FeatureMetrics();
            var url = $"http://{parse.GetValue(host)}:{parse.GetValue(port)}";
            var app = await FeatureServer.StartAsync(new OnlineFeatureService(definitions, store), url, metrics, cancellationToken: ct).ConfigureAwait(false);
            await using (app.ConfigureAwait(false))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync($"feature server for project '{definitions.Project}' ({store.Kind}) on {url}").ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }

    private static DateTime Time(string text, string what) =>
        FeatureValues.TryParseTimestamp(text, out var t) ? t : throw new FeatureRepoException($"{what} '{text}': expected an ISO 8601 time like 2026-01-31T12:00:00Z");
}
