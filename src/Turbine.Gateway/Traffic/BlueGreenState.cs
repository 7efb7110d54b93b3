using System.Collections.Concurrent;
using Turbine.Gateway.Configuration;

namespace Turbine.Gateway.Traffic;

/// <summary>
/// The active side of each blue-green model. A switch (admin API) overrides the config's <c>active</c> until the
/// config's own value changes; the swap is one atomic dictionary write, so every request after it sees the new side.
/// </summary>
internal sealed class BlueGreenState
{
    private readonly ConcurrentDictionary<string, (string ConfigActive, string Active)> _overrides = new(StringComparer.Ordinal);

    public string Active(string model, BlueGreenConfig config) =>
        _overrides.TryGetValue(model, out var o) && o.ConfigActive == config.Active ? o.Active : config.Active;

    /// <summary>Makes <paramref name="target"/> (or the other side when null) active; returns the new active side.</summary>
    public string Switch(string model, BlueGreenConfig config, string? target)
    {
        var result = _overrides.AddOrUpdate(
            model,
            _ => (config.Active, target ?? Other(config.Active)),
            (_, o) => (config.Active, target ?? Other(o.ConfigActive == config.Active ? o.Active : config.Active)));
        return result.Active;
    }

    private static string Other(string side) => side == "blue" ? "green" : "blue";
}
