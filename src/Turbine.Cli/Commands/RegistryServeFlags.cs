using System.CommandLine;
using Turbine.Server;
using Turbine.Server.Registry;

namespace Turbine.Cli.Commands;

/// <summary>The <c>turbine serve</c> flags that serve models from a model registry instead of a repository folder.</summary>
internal sealed class RegistryServeFlags
{
    private readonly Option<string?> _registry = new("--registry") { Description = $"Serve from this model registry (URL; default ${ModelsCommand.RegistryUrlVariable} when --model is given) instead of --model-repository." };
    private readonly Option<string[]> _models = new("--model") { Description = "Registry reference to serve, e.g. fraud@production, fraud:3, fraud@champion (repeatable; one per model).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> _token = new("--registry-token") { Description = $"Registry bearer token (default ${ModelsCommand.RegistryTokenVariable})." };
    private readonly Option<string> _cache = new("--registry-cache")
    {
        Description = "Local cache of registry artifacts (content-addressed) and the repository materialized from them.",
        DefaultValueFactory = _ => Path.Combine(Environment.GetEnvironmentVariable("TURBINE_HOME")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".turbine"), "registry-cache"),
    };

    private readonly Option<bool> _noMonitoring = new("--no-registry-monitoring") { Description = "Do not monitor served models against the reference profiles stored with their registry versions (monitoring is on by default when a version has one)." };

    private readonly Option<int> _pollSecs = new("--registry-poll-secs") { Description = "How often the registry references are resolved again, seconds.", DefaultValueFactory = _ => 5 };

    private readonly Option<long> _maxExtractBytes = new("--registry-max-extract-bytes") { Description = "Largest total size of the files one tar artifact may extract to.", DefaultValueFactory = _ => new Turbine.Client.Registry.TarExtractionLimits().MaxBytes };
    private readonly Option<int> _maxExtractEntries = new("--registry-max-extract-entries") { Description = "Most files and folders one tar artifact may extract to.", DefaultValueFactory = _ => new Turbine.Client.Registry.TarExtractionLimits().MaxEntries };

    public RegistryServeFlags()
    {
        // The rules are ServerOptionsValidator's (a library caller gets the same).
        ServeOptions.Rule(_maxExtractBytes, (_, value) => ServerOptionsValidator.CheckRegistryMaxExtractBytes(value));
        ServeOptions.Rule(_maxExtractEntries, (_, value) => ServerOptionsValidator.CheckRegistryMaxExtractEntries(value));
        ServeOptions.Rule(_registry, (_, value) => ServerOptionsValidator.CheckRegistryUrl(value));
        ServeOptions.Rule(_pollSecs, (_, value) => ServerOptionsValidator.CheckRegistryPollInterval(TimeSpan.FromSeconds(value)));
    }

    public void AddTo(Command command, Option<string?> repository)
    {
        command.Options.Add(_registry);
        command.Options.Add(_models);
        command.Options.Add(_token);
        command.Options.Add(_cache);
        command.Options.Add(_pollSecs);
        command.Options.Add(_noMonitoring);
        command.Options.Add(_maxExtractBytes);
        command.Options.Add(_maxExtractEntries);
        command.Validators.Add(r =>
        {
            var hasRepository = r.GetValue(repository) is not null;
            var hasRegistry = r.GetValue(_registry) is not null;
            var models = r.GetValue(_models) ?? [];
            if (hasRepository && (hasRegistry || models.Length > 0))
            {
                r.AddError("give --model-repository, or --registry with --model, not both");
            }
            else if (!hasRepository && models.Length == 0)
            {
                r.AddError(hasRegistry
                    ? "--registry needs at least one --model reference (e.g. --model fraud@production)"
                    : "give --model-repository DIR, or --registry URL with --model REF");
            }
        });
    }

    /// <summary>The registry settings, or null when serving a repository folder.</summary>
    public RegistryServingOptions? Read(ParseResult parse)
    {
        var models = parse.GetValue(_models) ?? [];
        if (models.Length == 0)
        {
            return null;
        }

        var url = parse.GetValue(_registry)
            ?? (Environment.GetEnvironmentVariable(ModelsCommand.RegistryUrlVariable) is { Length: > 0 } env ? env : ModelsCommand.DefaultRegistryUrl);
        return new RegistryServingOptions
        {
            Url = new Uri(url),
            Models = models,
            Token = parse.GetValue(_token) ?? (Environment.GetEnvironmentVariable(ModelsCommand.RegistryTokenVariable) is { Length: > 0 } t ? t : null),
            CacheDirectory = Path.GetFullPath(parse.GetValue(_cache)!),
            PollInterval = TimeSpan.FromSeconds(parse.GetValue(_pollSecs)),
            MonitorProfiles = !parse.GetValue(_noMonitoring),
            Extraction = new Turbine.Client.Registry.TarExtractionLimits { MaxBytes = parse.GetValue(_maxExtractBytes), MaxEntries = parse.GetValue(_maxExtractEntries) },
        };
    }
}
