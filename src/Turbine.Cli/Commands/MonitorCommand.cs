using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Turbine.Client.Registry;
using Turbine.Monitoring;
using Turbine.Monitoring.Data;
using Turbine.Monitoring.Drift;
using Turbine.Monitoring.Profiles;
using Turbine.Monitoring.Registry;
using Turbine.Monitoring.Reports;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine monitor baseline|drift|report</c>: reference profiles stored with model versions in the registry (or in a
/// file), drift of a dataset against one with Evidently's default tests, and a self-contained HTML report.
/// docs/monitoring.md.
/// </summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var command = new Command("monitor", "Model monitoring: reference profiles, drift tests, HTML reports (docs/monitoring.md).");
        command.Subcommands.Add(Baseline());
        command.Subcommands.Add(DriftCommand(report: false));
        command.Subcommands.Add(DriftCommand(report: true));
        return command;
    }

    private static Command Baseline()
    {
        var data = new Option<string>("--data") { Description = "The reference dataset (the training set): .parquet or .csv with a header row.", Required = true };
        var model = new Option<string?>("--model") { Description = "Store the profile with this registry model version (fraud:3, fraud@production, fraud = latest)." };
        var output = new Option<string?>("-o", "--output") { Description = "Write the profile JSON to this file (instead of or as well as the registry)." };
        var sageMaker = new Option<string?>("--sagemaker") { Description = "Also write SageMaker Model Monitor statistics.json and constraints.json into this folder." };
        var sample = new Option<int>("--sample-size") { Description = "Reference values kept per numeric feature for the two-sample tests (default 1000).", DefaultValueFactory = _ => 1000 };
        var registry = RegistryOption();
        var token = TokenOption();
        sample.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 10 or > 20_000)
            {
                r.AddError("--sample-size must be between 10 and 20000");
            }
        });
        var task = new Option<string?>("--task") { Description = "classification or regression: the metrics a server monitoring against this profile computes from labels (default classification)." };
        task.AcceptOnlyFromAmong("classification", "regression");
        var command = new Command("baseline", "Profile a reference dataset and store it with a model version in the registry (or a file).") { data, model, output, sageMaker, sample, task, registry, token };
        command.Validators.Add(r =>
        {
            if (r.GetValue(model) is null && r.GetValue(output) is null)
            {
                r.AddError("give --model (store in the registry) or -o FILE (write the profile), or both");
            }
        });
        command.SetAction(async (parse, ct) => await RunAsync(parse, async (stdout) =>
        {
            var file = parse.GetValue(data)!;
            var table = await TableReader.ReadAsync(file, ct: ct).ConfigureAwait(false);
            var profile = ProfileBuilder.Build(table, new ProfileOptions { SampleSize = parse.GetValue(sample) }, Path.GetFileName(file)) with { Task = parse.GetValue(task) };
            if (parse.GetValue(model) is { } reference)
            {
                using var client = new RegistryClient(new Uri(parse.GetValue(registry)!), parse.GetValue(token));
                var version = await ProfileRegistry.SaveAsync(client, reference, profile, ct).ConfigureAwait(false);
                profile = profile with { Model = version.Model, Version = version.Version };
                await stdout.WriteLineAsync($"stored the reference profile of {file} ({profile.Rows} rows, {profile.Features.Count} features) with {version.Model}:{version.Version}").ConfigureAwait(false);
            }

            if (parse.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(profile, MonitoringJson.Indented), ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"wrote the reference profile to {path}").ConfigureAwait(false);
            }

            if (parse.GetValue(sageMaker) is { } folder)
            {
                await SageMakerExport.WriteAsync(profile, folder, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"wrote {Path.Combine(folder, "statistics.json")} and constraints.json").ConfigureAwait(false);
            }
        }).ConfigureAwait(false));
        return command;
    }

    private static Command DriftCommand(bool report)
    {
        var data = new Option<string>("--data") { Description = "The current dataset: .parquet or .csv with a header row.", Required = true };
        var model = new Option<string?>("--model") { Description = "Read the reference profile stored with this registry model version." };
        var profileFile = new Option<string?>("--profile") { Description = "Read the reference profile from this JSON file (turbine monitor baseline -o)." };
        var tests = new Option<string[]>("--test") { Description = "Use this test for a feature: FEATURE=ks|chisquare|z|wasserstein|jensenshannon|psi (repeatable).", AllowMultipleArgumentsPerToken = false };
        var share = new Option<double>("--drift-share") { Description = "Dataset drift when at least this share of features drifted (default 0.5).", DefaultValueFactory = _ => 0.5 };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var output = new Option<string>("-o", "--output") { Description = "The HTML file to write.", Required = report };
        var registry = RegistryOption();
        var token = TokenOption();
        share.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is <= 0 or > 1)
            {
                r.AddError("--drift-share must be in (0, 1]");
            }
        });
        var command = report
            ? new Command("report", "Write a self-contained HTML drift report (inline SVG charts, works offline) of a dataset against the reference profile.") { data, model, profileFile, tests, share, output, registry, token }
            : new Command("drift", "Test a dataset for drift against the reference profile (Evidently's default tests).") { data, model, profileFile, tests, share, json, registry, token };
        command.Validators.Add(r =>
        {
            if ((r.GetValue(model) is null) == (r.GetValue(profileFile) is null))
            {
                r.AddError("give either --model (the profile stored in the registry) or --profile FILE");
            }

            foreach (var pair in r.GetValue(tests) ?? [])
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !DriftTestNames.All.Contains(pair[(eq + 1)..]))
                {
                    r.AddError($"--test '{pair}' must be FEATURE=TEST with TEST one of {string.Join(", ", DriftTestNames.All)}");
                }
            }
        });
        command.SetAction(async (parse, ct) => await RunAsync(parse, async (stdout) =>
        {
            ReferenceProfile? profile;
            string title;
            if (parse.GetValue(profileFile) is { } file)
            {
                profile = JsonSerializer.Deserialize<ReferenceProfile>(await File.ReadAllTextAsync(file, ct).ConfigureAwait(false), MonitoringJson.Options);
                title = file;
            }
            else
            {
                using var client = new RegistryClient(new Uri(parse.GetValue(registry)!), parse.GetValue(token));
                profile = await ProfileRegistry.LoadAsync(client, parse.GetValue(model)!, ct).ConfigureAwait(false)
                    ?? throw new InvalidDataException($"{parse.GetValue(model)} has no reference profile; run turbine monitor baseline --model {parse.GetValue(model)} --data TRAIN first");
                title = $"{profile.Model}:{profile.Version}";
            }

            if (profile is null)
            {
                throw new InvalidDataException("the profile file is empty");
            }

            var options = new DriftOptions
            {
                DriftShare = parse.GetValue(share),
                FeatureTests = (parse.GetValue(tests) ?? []).ToDictionary(p => p[..p.IndexOf('=', StringComparison.Ordinal)], p => p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..]),
            };
            var current = parse.GetValue(data)!;
            var drift = DriftDetector.Detect(profile, await TableReader.ReadAsync(current, ct: ct).ConfigureAwait(false), options);
            if (report)
            {
                var path = parse.GetValue(output)!;
                await File.WriteAllTextAsync(path, HtmlReport.Render($"Drift of {Path.GetFileName(current)} against {title}", drift, null, DateTimeOffset.UtcNow), ct).ConfigureAwait(false);
                await stdout.WriteLineAsync($"wrote {path}: {drift.Drifted} of {drift.Tested} features drifted{(drift.DatasetDrift ? " (dataset drift)" : "")}").ConfigureAwait(false);
            }
            else if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(drift with { Features = drift.Features.Select(f => f with { Distribution = null }).ToArray() }, MonitoringJson.Indented)).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteLineAsync($"{"FEATURE",-24} {"TEST",-14} {"SCORE",12} {"THRESHOLD",10} DRIFT").ConfigureAwait(false);
                foreach (var f in drift.Features)
                {
                    await stdout.WriteLineAsync(f.Skipped is null
                        ? string.Create(CultureInfo.InvariantCulture, $"{f.Feature,-24} {f.Test,-14} {f.Score,12:G6} {f.Threshold,10:G4} {(f.Drifted ? "yes" : "no")}")
                        : $"{f.Feature,-24} {"-",-14} {"",12} {"",10} skipped: {f.Skipped}").ConfigureAwait(false);
                }

                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"dataset drift: {(drift.DatasetDrift ? "yes" : "no")} ({drift.Drifted} of {drift.Tested} features, share {drift.Share:G4} vs {drift.DriftShareThreshold:G4})")).ConfigureAwait(false);
            }
        }).ConfigureAwait(false));
        return command;
    }

    private static Option<string> RegistryOption()
    {
        var registry = new Option<string>("--registry")
        {
            Description = $"Registry URL (default ${ModelsCommand.RegistryUrlVariable}, else {ModelsCommand.DefaultRegistryUrl}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ModelsCommand.RegistryUrlVariable) is { Length: > 0 } url ? url : ModelsCommand.DefaultRegistryUrl,
        };
        registry.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                r.AddError($"--registry must be an http:// or https:// URL, got '{value}'");
            }
        });
        return registry;
    }

    private static Option<string?> TokenOption() => new("--token", "--registry-token")
    {
        Description = $"Registry bearer token (default ${ModelsCommand.RegistryTokenVariable}).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ModelsCommand.RegistryTokenVariable) is { Length: > 0 } token ? token : null,
    };

    private static async Task<int> RunAsync(ParseResult parse, Func<TextWriter, Task> action)
    {
        var error = parse.InvocationConfiguration.Error;
        try
        {
            await action(parse.InvocationConfiguration.Output).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is RegistryException or IOException or UnauthorizedAccessException or InvalidDataException or JsonException or InvalidOperationException)
        {
            await error.WriteLineAsync($"turbine: error: {string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries))}").ConfigureAwait(false);
            return 1;
        }
    }
}
