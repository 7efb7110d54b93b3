using Microsoft.Extensions.Logging;
using Turbine.Monitoring.Online;
using Turbine.Monitoring.Registry;

namespace Turbine.Server.Registry;

/// <summary>
/// Reference profiles at serve time: after a version is swapped in, the profile stored in its card
/// (<c>turbine monitor baseline --model m:3</c>, <c>turbine models push --reference</c>) starts monitoring the model.
/// Monitoring is never a reason not to serve: a card that cannot be read or parsed is logged and the version serves.
/// </summary>
internal sealed partial class RegistrySync
{
    private readonly MonitoringService? _monitoring;

    /// <summary>Reads the card of the version just served and hands its profile (or none) to monitoring.</summary>
    private async Task UseProfileAsync(string model, long version, CancellationToken cancellationToken)
    {
        if (_monitoring is not { RegistryDefaults: not null } monitoring)
        {
            return;
        }

        try
        {
            string card;
            using (var timeout = new CancellationTokenSource(_options.RequestTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                card = await _client.GetCardAsync(model, version, linked.Token).ConfigureAwait(false);
            }

            var change = monitoring.UseRegistryProfile(model, version, ProfileCard.Extract(card));
            if (change is RegistryProfileChange.Started or RegistryProfileChange.Stopped)
            {
                MonitoringLog.ProfileChanged(_logger, model, version, change == RegistryProfileChange.Started ? "monitored against its reference profile" : "not monitored (the version has no reference profile)");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            MonitoringLog.ProfileFailed(_logger, model, version, e.Message);
        }
    }

    private static partial class MonitoringLog
    {
        [LoggerMessage(EventId = 1910, Level = LogLevel.Information, Message = "registry: '{Model}' version {Version} is {What}")]
        public static partial void ProfileChanged(ILogger logger, string model, long version, string what);

        [LoggerMessage(EventId = 1911, Level = LogLevel.Warning, Message = "registry: the reference profile of '{Model}' version {Version} could not be read; the version serves, monitoring is unchanged: {Message}")]
        public static partial void ProfileFailed(ILogger logger, string model, long version, string message);
    }
}
