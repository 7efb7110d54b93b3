using System.CommandLine;
using System.Globalization;
using Turbine.Cli.Progress;
using Turbine.Client.Registry;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine models push|list|show|pull|promote|alias|lineage</c>: the model registry from the command line
/// (a thin layer over <see cref="RegistryClient"/>). Registry errors print one line and exit 1; usage errors exit 2.
/// </summary>
internal static partial class ModelsCommand
{
    public const string RegistryUrlVariable = "TURBINE_REGISTRY_URL";
    public const string RegistryTokenVariable = "TURBINE_REGISTRY_TOKEN";
    public const string DefaultRegistryUrl = "http://127.0.0.1:8080";

    public static Command Create()
    {
        var common = new CommonOptions();
        var command = new Command("models", "Push, find, pull, promote and alias models in the model registry.")
        {
            common.Registry, common.Token, common.Output,
        };
        command.Subcommands.Add(CreatePush(common));
        command.Subcommands.Add(CreateList(common));
        command.Subcommands.Add(CreateShow(common));
        command.Subcommands.Add(CreatePull(common));
        command.Subcommands.Add(CreatePromote(common));
        command.Subcommands.Add(CreateAlias(common));
        command.Subcommands.Add(CreateLineage(common));
        return command;
    }

    private static Command CreatePush(CommonOptions common)
    {
        var path = new Argument<string>("PATH") { Description = "A model file (model.onnx) or a folder (a Triton model folder; sent as a tar)." };
        var name = new Option<string>("--name") { Description = "Registered model name (created when absent).", Required = true };
        var metric = new Option<string[]>("--metric") { Description = "A metric as key=number (repeatable).", AllowMultipleArgumentsPerToken = false };
        var param = new Option<string[]>("--param") { Description = "A training parameter as key=value (repeatable).", AllowMultipleArgumentsPerToken = false };
        var dataset = new Option<string?>("--dataset") { Description = "URI of the training dataset (lineage)." };
        var datasetDigest = new Option<string?>("--dataset-digest") { Description = "Digest of the training dataset (lineage)." };
        var repository = new Option<string?>("--code-repository") { Description = "Source repository of the training code (lineage)." };
        var commit = new Option<string?>("--commit") { Description = "Commit of the training code (lineage)." };
        var runId = new Option<string?>("--run-id") { Description = "Training run id (lineage)." };
        var parent = new Option<long?>("--parent-version") { Description = "The version this one was derived from (lineage)." };
        var description = new Option<string?>("--description") { Description = "Version description." };
        var reference = new Option<string?>("--reference")
        {
            Description = "A reference dataset (the training set: .parquet or .csv) profiled and stored with the new version, as 'turbine monitor baseline' does (docs/monitoring.md).",
        };
        metric.Validators.Add(r => ValidatePairs(r, numeric: true));
        param.Validators.Add(r => ValidatePairs(r, numeric: false));
        var command = new Command("push", "Upload a model file or folder and register it as the next version; prints the version.")
        {
            path, name, metric, param, dataset, datasetDigest, repository, commit, runId, parent, description, reference,
        };
        command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
        {
            var source = parse.GetValue(path)!;
            if (!File.Exists(source) && !Directory.Exists(source))
            {
                throw new UsageException($"PATH '{source}' is neither a file nor a folder");
            }

            // The reference profile is built before anything is uploaded, so a bad dataset leaves no version behind.
            var profile = parse.GetValue(reference) is { } data
                ? Turbine.Monitoring.Profiles.ProfileBuilder.Build(
                    await Turbine.Monitoring.Data.TableReader.ReadAsync(data, ct: ct).ConfigureAwait(false), null, Path.GetFileName(data))
                : null;
            var model = parse.GetValue(name)!;
            if (await client.FindModelAsync(model, ct).ConfigureAwait(false) is null)
            {
                try
                {
                    await client.CreateModelAsync(new NewRegisteredModel { Name = model }, ct).ConfigureAwait(false);
                }
                catch (RegistryException e) when (e.StatusCode == 409)
                {
                    // Created concurrently by another push: fine.
                }
            }

            var artifact = await client.UploadAsync(source, ct).ConfigureAwait(false);
            var lineage = new RegistryLineage
            {
                DatasetUri = parse.GetValue(dataset),
                DatasetDigest = parse.GetValue(datasetDigest),
                CodeRepository = parse.GetValue(repository),
                CodeCommit = parse.GetValue(commit),
                RunId = parse.GetValue(runId),
                ParentVersion = parse.GetValue(parent),
            };
            var version = await client.CreateVersionAsync(model, new NewModelVersion
            {
                Artifact = artifact,
                Description = parse.GetValue(description),
                Metrics = Pairs(parse.GetValue(metric)).ToDictionary(p => p.Key, p => double.Parse(p.Value, CultureInfo.InvariantCulture)),
                Params = Pairs(parse.GetValue(param)).ToDictionary(p => p.Key, p => p.Value),
                Lineage = lineage == new RegistryLineage() ? null : lineage,
            }, ct).ConfigureAwait(false);
            if (profile is not null)
            {
                await Turbine.Monitoring.Registry.ProfileRegistry.SaveAsync(client, $"{version.Model}:{version.Version}", profile, ct).ConfigureAwait(false);
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    $"stored the reference profile of {parse.GetValue(reference)} ({profile.Rows} rows, {profile.Features.Count} features) with {version.Model}:{version.Version}").ConfigureAwait(false);
            }

            output.Pushed(version);
        }, error => UploadProgress(parse.GetValue(path)!, error)));
        return command;
    }

    private static Command CreateList(CommonOptions common)
    {
        var stage = StageOption("Only models with a version in this stage: None | Staging | Production | Archived (any case, @ optional).", required: false);
        var tag = new Option<string?>("--tag") { Description = "Only models with this tag (key=value)." };
        var dataset = new Option<string?>("--dataset") { Description = "Only models with a version trained on this dataset URI." };
        var metric = new Option<string?>("--metric") { Description = "Only models with a version meeting this, e.g. auc>=0.9." };
        var text = new Option<string?>("--query", "-q") { Description = "Free text in names and descriptions." };
        var command = new Command("list", "List registered models.") { stage, tag, dataset, metric, text };
        command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
            output.Models(await client.ListModelsAsync(new ModelSearch(parse.GetValue(tag), parse.GetValue(stage), parse.GetValue(dataset), parse.GetValue(metric), parse.GetValue(text)), ct).ConfigureAwait(false))));
        return command;
    }

    private static Command CreateShow(CommonOptions common)
    {
        var reference = RefArgument();
        var command = new Command("show", "Show a model (NAME: its versions) or one version (NAME:3, NAME@alias, NAME@production).") { reference };
        command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
        {
            var value = parse.GetValue(reference)!;
            if (value.IndexOfAny([':', '@']) < 0)
            {
                var model = await client.GetModelAsync(value, ct).ConfigureAwait(false);
                output.Model(model, await client.ListVersionsAsync(value, ct: ct).ConfigureAwait(false));
            }
            else
            {
                output.Version(await client.ResolveAsync(value, ct).ConfigureAwait(false));
            }
        }));
        return command;
    }

    private static Command CreatePull(CommonOptions common)
    {
        var reference = RefArgument();
        var dir = new Argument<string>("DIR") { Description = "Folder to write into (created if absent): the file, or the folder's contents." };
        var maxBytes = new Option<long>("--max-extract-bytes") { Description = "Largest total size of the files a folder artifact may extract to.", DefaultValueFactory = _ => new TarExtractionLimits().MaxBytes };
        var maxEntries = new Option<int>("--max-extract-entries") { Description = "Most files and folders a folder artifact may extract to.", DefaultValueFactory = _ => new TarExtractionLimits().MaxEntries };
        var command = new Command("pull", "Download a version's artifact (verified) into DIR; a folder artifact is extracted (regular files and folders only).") { reference, dir, maxBytes, maxEntries };
        maxBytes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 1)
            {
                r.AddError("--max-extract-bytes must be positive");
            }
        });
        maxEntries.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--max-extract-entries must be positive");
            }
        });
        command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
        {
            var version = await client.ResolveAsync(parse.GetValue(reference)!, ct).ConfigureAwait(false);
            var limits = new TarExtractionLimits { MaxBytes = parse.GetValue(maxBytes), MaxEntries = parse.GetValue(maxEntries) };
            var written = await client.PullAsync(version, Path.GetFullPath(parse.GetValue(dir)!), limits, ct).ConfigureAwait(false);
            output.Pulled(version, written);
        }));
        return command;
    }

    private static Command CreatePromote(CommonOptions common)
    {
        var reference = RefArgument();
        var stage = StageOption("None | Staging | Production | Archived (any case, @ optional: production and @production work).", required: true);
        var archive = new Option<bool>("--archive-existing") { Description = "Move the versions now in that stage to Archived." };
        var command = new Command("promote", "Move a version to a stage.") { reference, stage, archive };
        command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
        {
            var version = await client.ResolveAsync(parse.GetValue(reference)!, ct).ConfigureAwait(false);
            output.Version(await client.TransitionStageAsync(version.Model, version.Version, parse.GetValue(stage)!, parse.GetValue(archive), ct).ConfigureAwait(false));
        }));
        return command;
    }

    private static Command CreateAlias(CommonOptions common)
    {
        var reference = RefArgument();
        var set = new Option<string>("--set") { Description = "The alias to point at this version (e.g. champion).", Required = true };
        var command = new Command("alias", "Point an alias at a version.") { reference, set };
        command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
        {
            var version = await client.ResolveAsync(parse.GetValue(reference)!, ct).ConfigureAwait(false);
            var alias = parse.GetValue(set)!;
            output.Alias(version.Model, alias, await client.SetAliasAsync(version.Model, alias, version.Version, ct).ConfigureAwait(false));
        }));
        return command;
    }

    private static Command CreateLineage(CommonOptions common)
    {
        var reference = new Argument<string?>("REF") { Description = "A version (NAME:3, NAME@production…): its ancestors and descendants.", Arity = ArgumentArity.ZeroOrOne };
        var dataset = new Option<string?>("--dataset") { Description = "The versions trained on this dataset URI." };
        var datasetDigest = new Option<string?>("--dataset-digest") { Description = "The versions trained on data with this digest." };
        var commit = new Option<string?>("--commit") { Description = "The versions built from this code commit." };
        var runId = new Option<string?>("--run-id") { Description = "The versions produced by this training run." };
        var command = new Command("lineage", "Trace versions to data and code, or a version to its parents and children.") { reference, dataset, datasetDigest, commit, runId };
        command.Validators.Add(r =>
        {
            var given = new object?[] { r.GetValue(reference), r.GetValue(dataset), r.GetValue(datasetDigest), r.GetValue(commit), r.GetValue(runId) }.Count(v => v is not null);
            if (given != 1)
            {
                r.AddError("give exactly one of REF, --dataset, --dataset-digest, --commit, --run-id");
            }
        });
        command.SetAction((parse, ct) => RunAsync(parse, common, async (client, output) =>
        {
            if (parse.GetValue(reference) is { } value)
            {
                var version = await client.ResolveAsync(value, ct).ConfigureAwait(false);
                output.Lineage(await client.GetVersionLineageAsync(version.Model, version.Version, ct).ConfigureAwait(false));
                return;
            }

            var (key, query) = parse.GetValue(dataset) is { } d ? (LineageQuery.DatasetUri, d)
                : parse.GetValue(datasetDigest) is { } g ? (LineageQuery.DatasetDigest, g)
                : parse.GetValue(commit) is { } c ? (LineageQuery.CodeCommit, c)
                : (LineageQuery.RunId, parse.GetValue(runId)!);
            output.Versions(await client.FindLineageAsync(key, query, ct).ConfigureAwait(false));
        }));
        return command;
    }

    /// <summary>The stage names, as the registry spells them.</summary>
    internal static readonly string[] Stages = ["None", "Staging", "Production", "Archived"];

    /// <summary>
    /// A <c>--stage</c> option: accepts a stage in any case, with or without the <c>@</c> a reference uses
    /// (<c>Production</c>, <c>production</c>, <c>@production</c>), and yields the registry's spelling.
    /// </summary>
    internal static Option<string?> StageOption(string description, bool required)
    {
        var option = new Option<string?>("--stage") { Description = description, Required = required };
        option.CustomParser = r =>
        {
            var token = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            if (NormalizeStage(token) is { } stage)
            {
                return stage;
            }

            r.AddError($"--stage '{token}': expected one of {string.Join(", ", Stages)} (any case, @ optional)");
            return null;
        };
        return option;
    }

    /// <summary>The registry's spelling of a stage written in any case with or without a leading @; null when it is none.</summary>
    internal static string? NormalizeStage(string text) =>
        Stages.FirstOrDefault(s => string.Equals(s, text.StartsWith('@') ? text[1..] : text, StringComparison.OrdinalIgnoreCase));

    private static Argument<string> RefArgument() =>
        new("REF") { Description = "NAME (latest), NAME:3, NAME@alias or NAME@production / @staging / @archived." };

    /// <summary>Artifacts at least this large show upload progress (smaller ones are sent in a moment).</summary>
    internal const long ProgressThresholdBytes = 4L << 20;

    /// <summary>
    /// A handler that shows the upload of <paramref name="source"/> on <paramref name="error"/> (a bar on a terminal,
    /// plain lines otherwise), or null when it is small or absent. The size of a folder is the sum of its files.
    /// </summary>
    private static UploadProgressHandler? UploadProgress(string source, TextWriter error)
    {
        long total;
        try
        {
            total = File.Exists(source) ? new FileInfo(source).Length
                : Directory.Exists(source) ? new DirectoryInfo(source).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
                : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (total < ProgressThresholdBytes)
        {
            return null;
        }

        var terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        return new UploadProgressHandler(new ProgressDisplay(error, terminal, TimeProvider.System, "turbine: uploading " + Path.GetFileName(Path.TrimEndingDirectorySeparator(source))), total, TimeProvider.System);
    }

    private static async Task<int> RunAsync(ParseResult parse, CommonOptions common, Func<RegistryClient, ModelsOutput, Task> action, Func<TextWriter, UploadProgressHandler?>? progress = null)
    {
        var output = new ModelsOutput(parse.InvocationConfiguration.Output, parse.GetValue(common.Output) == "json");
        var error = parse.InvocationConfiguration.Error;
        var handler = progress?.Invoke(error);
        using var client = new RegistryClient(new Uri(parse.GetValue(common.Registry)!), parse.GetValue(common.Token), handler);
        try
        {
            await action(client, output).ConfigureAwait(false);
            handler?.Complete(succeeded: true);
            return 0;
        }
        catch (UsageException e)
        {
            handler?.Complete(succeeded: false);
            await error.WriteLineAsync($"turbine: error: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (RegistryException e)
        {
            handler?.Complete(succeeded: false);
            await error.WriteLineAsync($"turbine: error: {OneLine(e.Message)}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            handler?.Complete(succeeded: false);
            await error.WriteLineAsync($"turbine: error: {OneLine(e.Message)}").ConfigureAwait(false);
            return 1;
        }
    }

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    private static void ValidatePairs(System.CommandLine.Parsing.OptionResult r, bool numeric)
    {
        foreach (var value in r.GetValueOrDefault<string[]>() ?? [])
        {
            var eq = value.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                r.AddError($"{r.Option.Name} '{value}' must be key=value");
            }
            else if (numeric && !double.TryParse(value[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                r.AddError($"{r.Option.Name} '{value}': the value must be a number");
            }
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> Pairs(string[]? values) =>
        (values ?? []).Select(v => new KeyValuePair<string, string>(v[..v.IndexOf('=', StringComparison.Ordinal)], v[(v.IndexOf('=', StringComparison.Ordinal) + 1)..]));

    private sealed class UsageException(string message) : Exception(message);

    /// <summary>The options every subcommand takes (recursive on <c>models</c>).</summary>
    private sealed class CommonOptions
    {
        public CommonOptions()
        {
            Output.AcceptOnlyFromAmong("table", "json");
            Registry.Validators.Add(r =>
            {
                var value = r.GetValueOrDefault<string>();
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    r.AddError($"--registry must be an http:// or https:// URL, got '{value}'");
                }
            });
        }

        public Option<string> Registry { get; } = new("--registry")
        {
            Description = $"Registry URL (default ${RegistryUrlVariable}, else {DefaultRegistryUrl}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(RegistryUrlVariable) is { Length: > 0 } url ? url : DefaultRegistryUrl,
            Recursive = true,
        };

        public Option<string?> Token { get; } = new("--token", "--registry-token")
        {
            Description = $"Registry bearer token (default ${RegistryTokenVariable}); --registry-token is the spelling serve uses.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(RegistryTokenVariable) is { Length: > 0 } token ? token : null,
            Recursive = true,
        };

        public Option<string> Output { get; } = new("--format", "--output")
        {
            Description = "Output format: table | json (--output is an older spelling).",
            DefaultValueFactory = _ => "table",
            Recursive = true,
        };
    }
}
