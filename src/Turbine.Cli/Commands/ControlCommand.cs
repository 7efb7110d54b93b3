using System.CommandLine;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Control.Api;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine control serve|apply|get|describe|events|delete|rollout|render</c>: the control service and its client. Client
/// commands are a thin layer over <see cref="ControlClient"/>: a refusal prints one line per problem and exits 1, a
/// usage error exits 2. <c>serve</c> is in ControlCommand.Serve.cs, <c>render</c> (offline) in ControlCommand.Render.cs.
/// </summary>
internal static partial class ControlCommand
{
    public const string UrlVariable = "TURBINE_CONTROL_URL";
    public const string TokenVariable = "TURBINE_CONTROL_TOKEN";

    /// <summary>The default URL: the control service's default port on loopback.</summary>
    public static readonly string DefaultUrl = $"http://127.0.0.1:{new ControlOptions().Port}";

    /// <summary>Where <c>apply -f -</c> reads from (tests replace it).</summary>
    internal static Func<TextReader> Stdin { get; set; } = () => Console.In;

    /// <summary>The command; <paramref name="configureServices"/> is the integrator's seam for <c>serve</c> (register the reconciler).</summary>
    /// <param name="configureServices">Adds the reconciler and its parts to the control host; null runs the API over the store only.</param>
    public static Command Create(Action<IServiceCollection>? configureServices = null)
    {
        var common = new CommonOptions();
        var command = new Command("control", "The control plane: declare deployments (KServe InferenceService YAML) and watch them run.")
        {
            common.Url, common.Token, common.Output,
        };
        command.Subcommands.Add(CreateServe(configureServices));
        command.Subcommands.Add(CreateApply(common));
        command.Subcommands.Add(CreateGet(common));
        command.Subcommands.Add(CreateDescribe(common));
        command.Subcommands.Add(CreateEvents(common));
        command.Subcommands.Add(CreateDelete(common));
        command.Subcommands.Add(CreateRollout(common));
        command.Subcommands.Add(CreateRender());
        return command;
    }

    private static Command CreateApply(CommonOptions common)
    {
        var file = new Option<string>("--filename", "-f") { Description = "The InferenceService YAML file ('-' reads standard input).", Required = true };
        var command = new Command("apply", "Create or update a deployment from an InferenceService; prints created, configured or unchanged.") { file };
        command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
        {
            var path = parse.GetValue(file)!;
            var (origin, yaml) = await ReadSpecAsync(path, ct).ConfigureAwait(false);
            try
            {
                output.Applied(await client.ApplyAsync(yaml, null, ct).ConfigureAwait(false), origin, parse.InvocationConfiguration.Error);
            }
            catch (ControlClientException e) when (e.Diagnostics.Count > 0)
            {
                foreach (var d in e.Diagnostics)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync($"turbine: error: {ControlOutput.Position(origin, d)}").ConfigureAwait(false);
                }

                throw new ControlClientException(e.StatusCode, e.Code, $"{origin}: {e.Diagnostics.Count} error(s); nothing was applied", []);
            }
        }));
        return command;
    }

    private static Command CreateGet(CommonOptions common)
    {
        var name = new Argument<string?>("NAME") { Description = "One deployment (all when left out).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("get", "List deployments: NAME READY DESIRED PHASE VERSION CANARY AGE.") { name };
        command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
        {
            if (parse.GetValue(name) is { } one)
            {
                var d = await client.GetAsync(one, ct).ConfigureAwait(false);
                output.Deployment(d);
                return;
            }

            output.Deployments(await client.ListAsync(ct).ConfigureAwait(false));
        }));
        return command;
    }

    private static Command CreateDescribe(CommonOptions common)
    {
        var name = NameArgument();
        var command = new Command("describe", "Show a deployment: spec, replicas, revisions, rollout, autoscaler and the newest events.") { name };
        command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
        {
            var value = parse.GetValue(name)!;
            var deployment = await client.GetAsync(value, ct).ConfigureAwait(false);
            var events = await client.EventsAsync(value, 10, ct).ConfigureAwait(false);
            output.Describe(deployment, events);
        }));
        return command;
    }

    private static Command CreateEvents(CommonOptions common)
    {
        var name = NameArgument();
        var limit = new Option<int>("--limit") { Description = "How many of the newest events (1..1000).", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1000)
            {
                r.AddError("--limit must be from 1 to 1000");
            }
        });
        var command = new Command("events", "A deployment's events, newest first.") { name, limit };
        command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
            output.Events(await client.EventsAsync(parse.GetValue(name)!, parse.GetValue(limit), ct).ConfigureAwait(false))));
        return command;
    }

    private static Command CreateDelete(CommonOptions common)
    {
        var name = NameArgument();
        var command = new Command("delete", "Delete a deployment; its replicas are drained and stopped.") { name };
        command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
        {
            var value = parse.GetValue(name)!;
            await client.DeleteAsync(value, ct).ConfigureAwait(false);
            output.Line($"deployment/{value} deleted");
        }));
        return command;
    }

    private static Command CreateRollout(CommonOptions common)
    {
        var rollout = new Command("rollout", "Manual rollout commands: promote, rollback, pause, resume.");
        foreach (var (verb, done, help) in new[]
        {
            ("promote", "promoted", "Give the canary all traffic now; it becomes the stable revision."),
            ("rollback", "rolled back", "Remove the canary; the stable revision takes all traffic back."),
            ("pause", "paused", "Hold the current split; no analysis decides until resumed."),
            ("resume", "resumed", "Resume a paused rollout."),
        })
        {
            var name = NameArgument();
            var command = new Command(verb, help) { name };
            command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
            {
                var value = parse.GetValue(name)!;
                output.Rollout(value, done, await client.RolloutAsync(value, verb, ct).ConfigureAwait(false));
            }));
            rollout.Subcommands.Add(command);
        }

        return rollout;
    }

    private static Argument<string> NameArgument() => new("NAME") { Description = "The deployment name (metadata.name)." };

    /// <summary>The spec text and the name diagnostics are shown with: a regular file (bounded), or standard input for '-'.</summary>
    private static async Task<(string Origin, string Yaml)> ReadSpecAsync(string path, CancellationToken cancellationToken)
    {
        var limit = ControlOptionsValidator.MaxSpecBytesLimit;
        if (path == "-")
        {
            var buffer = new char[limit + 1];
            var reader = Stdin();
            var total = 0;
            int read;
            while (total <= limit && (read = await reader.ReadAsync(buffer.AsMemory(total, buffer.Length - total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return total > limit ? throw new UsageException($"standard input holds more than {limit} characters; a spec is at most {limit} bytes") : ("<stdin>", new string(buffer, 0, total));
        }

        var info = new FileInfo(path);
        if (!info.Exists || info.Attributes.HasFlag(FileAttributes.Directory))
        {
            throw new UsageException($"-f '{path}' is not a file");
        }

        if (info.Length > limit)
        {
            throw new UsageException($"-f '{path}' has {info.Length} bytes; a spec is at most {limit} bytes");
        }

        try
        {
            var bytes = await ReadBoundedAsync(info.FullName, limit, cancellationToken).ConfigureAwait(false)
                ?? throw new UsageException($"-f '{path}' holds more than {limit} bytes; a spec is at most {limit} bytes");
            return (path, new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes));
        }
        catch (DecoderFallbackException)
        {
            throw new UsageException($"-f '{path}' is not UTF-8 text");
        }
    }

    /// <summary>
    /// At most <paramref name="limit"/> bytes of a file, or null when it holds more: the bound holds even for a file whose
    /// size says nothing (a device, a pipe, /proc).
    /// </summary>
    internal static async Task<byte[]?> ReadBoundedAsync(string path, int limit, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
        var buffer = new byte[limit + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return total > limit ? null : buffer.AsSpan(0, total).ToArray();
    }

    private static async Task<int> RunAsync(ParseResult parse, CommonOptions common, Func<ControlClient, ControlOutput, Task> action)
    {
        var output = new ControlOutput(parse.InvocationConfiguration.Output, parse.GetValue(common.Output) == "json", TimeProvider.System);
        var error = parse.InvocationConfiguration.Error;
        var url = parse.GetValue(common.Url)!;
        using var client = new ControlClient(new Uri(url), parse.GetValue(common.Token), TimeSpan.FromSeconds(30));
        try
        {
            await action(client, output).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is UsageException or IOException)
        {
            return await FailAsync(error, e).ConfigureAwait(false);
        }
        catch (ControlClientException e)
        {
            await error.WriteLineAsync($"turbine: error: {OneLine(e.Message)}").ConfigureAwait(false);
            return 1;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"turbine: error: cannot reach the control service at {url}: {OneLine(e.Message)}").ConfigureAwait(false);
            return 1;
        }
        catch (TaskCanceledException)
        {
            await error.WriteLineAsync($"turbine: error: the control service at {url} did not answer in time").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The failures every control command reports alike: a usage error exits 2, a file error 1, each as one line.</summary>
    private static async Task<int> FailAsync(TextWriter error, Exception e)
    {
        await error.WriteLineAsync($"turbine: error: {OneLine(e.Message)}").ConfigureAwait(false);
        return e is UsageException ? 2 : 1;
    }

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    internal sealed class UsageException(string message) : Exception(message);

    /// <summary>The options every subcommand takes (recursive on <c>control</c>).</summary>
    private sealed class CommonOptions
    {
        public CommonOptions()
        {
            Output.AcceptOnlyFromAmong("table", "json");
            Url.Validators.Add(r =>
            {
                var value = r.GetValueOrDefault<string>();
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    r.AddError($"--url must be an http:// or https:// URL, got '{value}'");
                }
            });
        }

        public Option<string> Url { get; } = new("--url")
        {
            Description = $"Control service URL (default ${UrlVariable}, else {DefaultUrl}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } url ? url : DefaultUrl,
            Recursive = true,
        };

        public Option<string?> Token { get; } = new("--token")
        {
            Description = $"Bearer token: a registry token or a static token of the service (default ${TokenVariable}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token ? token : null,
            Recursive = true,
        };

        public Option<string> Output { get; } = new("--output", "-o")
        {
            Description = "Output format: table | json.",
            DefaultValueFactory = _ => "table",
            Recursive = true,
        };
    }
}
