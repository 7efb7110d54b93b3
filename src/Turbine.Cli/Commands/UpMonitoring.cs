using System.Text.Json;
using Turbine.Client.Registry;
using Turbine.Monitoring;
using Turbine.Monitoring.Data;
using Turbine.Monitoring.Online;
using Turbine.Monitoring.Profiles;
using Turbine.Monitoring.Registry;
using Turbine.Samples;

namespace Turbine.Cli.Commands;

/// <summary>
/// The monitoring half of <c>turbine up</c> (docs/monitoring.md, "turbine up"): the <c>iris</c> sample is monitored by
/// the embedded server against the reference profile of its own training data (150 flowers), the profile is stored with
/// <c>iris</c>'s registry version (its card, as <c>monitor baseline</c> does) and written to
/// <c>$TURBINE_HOME/monitoring/iris-profile.json</c> for <c>serve --monitor</c>, and the dashboard's Model-health page
/// reads the embedded server's monitoring API. Windows are small so a newcomer sees a report after a few requests.
/// </summary>
internal static class UpMonitoring
{
    /// <summary>The monitored sample.</summary>
    public const string Model = "iris";

    /// <summary>Rows per window: two full batches of the iris sample (64 rows each) close one.</summary>
    public const int WindowRows = 100;

    /// <summary>Longest a window stays open.</summary>
    public static readonly TimeSpan WindowDuration = TimeSpan.FromSeconds(60);

    /// <summary>The parameter that makes the server capture iris's tensors for the tap (and the payload log).</summary>
    public const string PayloadLogParameter = "parameters { key: \"payload_log\" value: { string_value: \"all\" } }";

    public static string DefaultFolder() =>
        Path.Combine(Path.GetDirectoryName(Turbine.Control.Api.ControlOptions.DefaultDataDirectory())!, "monitoring");

    /// <summary>Where <c>up</c>'s embedded server writes its payload log when <c>--payload-log-dir</c> is not given.</summary>
    public static string DefaultPayloadFolder() =>
        Path.Combine(Path.GetDirectoryName(Turbine.Control.Api.ControlOptions.DefaultDataDirectory())!, "payloads");

    /// <summary>
    /// Adds <see cref="PayloadLogParameter"/> to the iris sample's config that <c>up</c> has just created (the tap reads the
    /// payload log). A repository <c>up</c> did not create now is not edited: when its iris config lacks the parameter,
    /// one line says what to add.
    /// </summary>
    public static async Task EnsurePayloadLogAsync(string repository, bool createdNow, TextWriter output)
    {
        var config = Path.Combine(repository, Model, "config.pbtxt");
        if (!File.Exists(config) || new FileInfo(config).Length > 1 << 20)
        {
            return;
        }

        var text = await File.ReadAllTextAsync(config).ConfigureAwait(false);
        if (text.Contains("\"payload_log\"", StringComparison.Ordinal))
        {
            return;
        }

        if (createdNow)
        {
            await File.AppendAllTextAsync(config, "\n" + PayloadLogParameter + "\n").ConfigureAwait(false);
            return;
        }

        await output.WriteLineAsync($"turbine up: note: {config} has no payload_log parameter, so iris's monitoring sees no traffic; add: {PayloadLogParameter}").ConfigureAwait(false);
    }

    /// <summary>The reference profile of the iris sample's training data (columns in the model's input order).</summary>
    public static ReferenceProfile IrisProfile()
    {
        var (rows, _) = SampleRepository.IrisTrainingData();
        var columns = SampleRepository.IrisFeatureNames
            .Select((name, j) => FeatureColumn.Numeric(name, [.. rows.Select(r => (double)r[j])]))
            .ToList();
        return ProfileBuilder.Build(new FeatureTable(columns), source: $"the iris sample's training data ({rows.Length} rows)") with { Model = Model };
    }

    /// <summary>
    /// The monitoring service for the embedded server with iris configured, after storing the profile (file, and the
    /// registry card of iris's Production version when it has none); null when the repository has no iris model.
    /// A profile that cannot be stored is one warning line: monitoring still runs from memory.
    /// </summary>
    public static async Task<(MonitoringService Service, string ProfilePath)?> PrepareAsync(string repository, string folder, Uri registry, TextWriter output, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.Combine(repository, Model)))
        {
            return null;
        }

        var profile = IrisProfile();
        var path = Path.Combine(folder, "iris-profile.json");
        try
        {
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(profile, MonitoringJson.Indented), cancellationToken).ConfigureAwait(false);
            using var client = new RegistryClient(registry);
            if (await client.FindModelAsync(Model, cancellationToken).ConfigureAwait(false) is { LatestVersion: not null }
                && await ProfileRegistry.LoadAsync(client, Model + "@production", cancellationToken).ConfigureAwait(false) is null)
            {
                await ProfileRegistry.SaveAsync(client, Model + "@production", profile, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or RegistryException or HttpRequestException or InvalidOperationException)
        {
            await output.WriteLineAsync($"turbine up: warning: iris's reference profile is not stored ({e.Message}); monitoring uses it from memory").ConfigureAwait(false);
        }

        var service = new MonitoringService();
        try
        {
            service.Configure(Model, new MonitorSettings { Profile = profile, WindowRows = WindowRows, WindowDuration = WindowDuration });
            return (service, path);
        }
        catch
        {
            await service.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
