using Microsoft.Extensions.DependencyInjection;
using Turbine.Features.Definitions;
using Turbine.Features.Materialization;
using Turbine.Features.Online;
using Turbine.Samples;

namespace Turbine.Cli.Commands;

/// <summary>
/// The feature store half of <c>turbine up</c>: the sample iris feature repository (<see cref="SampleFeatureRepository"/>)
/// written under <c>$TURBINE_HOME/features/iris</c> when absent, materialized into its embedded SQLite online store, and
/// the embedded server's <c>iris</c> model fed by it, so a request may carry <c>flower_id</c> instead of the
/// measurements (docs/features.md). A request that sends the model's own <c>input</c> is served as sent.
/// </summary>
internal static class UpFeatures
{
    public static string DefaultFolder() =>
        Path.Combine(Path.GetDirectoryName(Turbine.Control.Api.ControlOptions.DefaultDataDirectory())!, "features", "iris");

    /// <summary>The server services, and one line for the summary; null (after a one-line warning) when it cannot be set up.</summary>
    public static async Task<(Action<IServiceCollection> Services, string Summary)?> PrepareAsync(string folder, TextWriter output, CancellationToken cancellationToken)
    {
        try
        {
            SampleFeatureRepository.Write(folder);
            var repo = FeatureRepoLoader.Load(folder);
            var store = await OnlineStores.OpenAsync(repo).ConfigureAwait(false);
            await using (store.ConfigureAwait(false))
            {
                // Everything up to now: the sample's rows are dated 2026-01-01; a rerun resumes where the last one ended.
                await new Materializer(repo, store).MaterializeIncrementalAsync(DateTime.UtcNow, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            var services = await FeaturesServeFlags.ComposeAsync(repo, null, [$"iris={Path.Combine(folder, SampleFeatureRepository.IrisEnrichment)}"]).ConfigureAwait(false);
            return (services, $"  features: iris also takes flower_id (1-150) from the feature repository {folder}");
        }
        catch (Exception e) when (e is FeatureRepoException or IOException or UnauthorizedAccessException or InvalidOperationException or System.Data.Common.DbException)
        {
            await output.WriteLineAsync($"turbine up: warning: the sample feature store is off: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }
}
