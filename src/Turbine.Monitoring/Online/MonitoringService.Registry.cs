using System.Collections.Concurrent;
using Turbine.Monitoring.Profiles;

namespace Turbine.Monitoring.Online;

/// <summary>
/// Monitoring driven by the registry: when a server serving from the registry swaps to a version, it hands over the
/// reference profile stored with that version (or null when it has none) and the model is monitored against it
/// without any <c>--monitor</c> flag. A model configured explicitly (<see cref="Configure"/>) keeps its profile.
/// </summary>
public sealed partial class MonitoringService
{
    private readonly ConcurrentDictionary<string, long> _fromRegistry = new(StringComparer.Ordinal);

    /// <summary>Settings for profiles found in the registry; null turns registry profiles off (the opt-out).</summary>
    public MonitorDefaults? RegistryDefaults { get; set; } = new();

    /// <summary>Model → the registry version whose profile it is monitored against.</summary>
    public IReadOnlyDictionary<string, long> RegistryProfiles => _fromRegistry.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>
    /// Version <paramref name="version"/> of <paramref name="model"/> is now served from the registry with
    /// <paramref name="profile"/> stored in its card (null: none). Returns what happened, for the log.
    /// </summary>
    public RegistryProfileChange UseRegistryProfile(string model, long version, ReferenceProfile? profile)
    {
        if (RegistryDefaults is not { } defaults)
        {
            return RegistryProfileChange.Off;
        }

        if (_models.ContainsKey(model) && !_fromRegistry.ContainsKey(model))
        {
            return RegistryProfileChange.Explicit;
        }

        if (profile is null)
        {
            if (_fromRegistry.TryRemove(model, out _))
            {
                Remove(model);
                return RegistryProfileChange.Stopped;
            }

            return RegistryProfileChange.None;
        }

        // Validated first: a profile that cannot be monitored (bad settings) throws before anything is replaced.
        var settings = defaults.For(profile);
        if (settings.Validate() is { } problem)
        {
            throw new ArgumentException($"monitoring of '{model}': {problem}");
        }

        Configure(model, settings);
        _fromRegistry[model] = version;
        return RegistryProfileChange.Started;
    }
}

/// <summary>What <see cref="MonitoringService.UseRegistryProfile"/> did.</summary>
public enum RegistryProfileChange
{
    /// <summary>Registry profiles are off.</summary>
    Off,

    /// <summary>The model is monitored with an explicitly configured profile, left as it is.</summary>
    Explicit,

    /// <summary>The version has no profile and the model was not monitored.</summary>
    None,

    /// <summary>The model is now monitored against the version's profile.</summary>
    Started,

    /// <summary>The version has no profile: monitoring from the previous version's profile stopped.</summary>
    Stopped,
}
