using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Turbine.Core;
using Turbine.Features.Definitions;
using Turbine.Features.Enrichment;
using Turbine.Features.Online;
using Turbine.Features.Server;
using Turbine.Features.Serving;

namespace Turbine.Cli.Commands;

/// <summary>
/// <c>turbine serve --feature-repo DIR --feature-enrichment MODEL=features.yaml</c>: models whose requests carry entity
/// ids instead of their input tensor (docs/features.md, "Serving integration").
/// </summary>
internal sealed class FeaturesServeFlags
{
    private readonly Option<string?> _repo = new("--feature-repo") { Description = "Feature repository folder for --feature-enrichment (docs/features.md)." };
    private readonly Option<string[]> _enrich = new("--feature-enrichment") { Description = "MODEL=FILE: build MODEL's input tensor from features as FILE (features.yaml) says; repeat per model.", AllowMultipleArgumentsPerToken = true };
    private readonly Option<string?> _redis = new("--feature-redis") { Description = "Use this Redis (host:port) as online store instead of the feature repository's." };

    public void AddTo(Command command)
    {
        command.Options.Add(_repo);
        command.Options.Add(_enrich);
        command.Options.Add(_redis);
        command.Validators.Add(r =>
        {
            if (r.GetValue(_enrich) is { Length: > 0 } && r.GetValue(_repo) is null)
            {
                r.AddError("--feature-enrichment needs --feature-repo");
            }
        });
    }

    /// <summary>The services to add to the server (null when no enrichment is asked for); throws <see cref="FeatureRepoException"/> naming a bad definition.</summary>
    public async Task<Action<IServiceCollection>?> BuildAsync(ParseResult parse)
    {
        if (parse.GetValue(_repo) is not { } folder || parse.GetValue(_enrich) is not { Length: > 0 } specs)
        {
            return null;
        }

        return await ComposeAsync(FeatureRepoLoader.Load(folder), parse.GetValue(_redis), specs).ConfigureAwait(false);
    }

    /// <summary>
    /// The server services that enrich each model of <paramref name="specs"/> (<c>MODEL=FILE</c>) from
    /// <paramref name="repo"/>'s online store (or <paramref name="redis"/>): what <c>serve --feature-repo</c> and
    /// <c>turbine up</c> register.
    /// </summary>
    public static async Task<Action<IServiceCollection>> ComposeAsync(FeatureRepo repo, string? redis, IEnumerable<string> specs)
    {
        var store = await OnlineStores.OpenAsync(repo, redis).ConfigureAwait(false);
        var service = new OnlineFeatureService(repo, store);
        var models = new Dictionary<string, FeatureEnricher>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !File.Exists(spec[(eq + 1)..]))
            {
                throw new FeatureRepoException($"--feature-enrichment '{spec}': expected MODEL=FILE with an existing features.yaml");
            }

            models[spec[..eq]] = new FeatureEnricher(service, EnrichmentSpec.Parse(await File.ReadAllTextAsync(spec[(eq + 1)..]).ConfigureAwait(false), spec[(eq + 1)..]));
        }

        var metrics = new FeatureMetrics();
        var enricher = new FeatureRequestEnricher(models, metrics);
        return s =>
        {
            s.AddSingleton<IRequestEnricher>(enricher);
            s.AddSingleton(store);
            s.AddSingleton(metrics);
        };
    }
}
