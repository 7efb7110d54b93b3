using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Turbine.Gateway.Configuration;

/// <summary>
/// <see cref="IGatewayConfigSource"/> over a <see cref="GatewayConfig"/> object that the caller sets and replaces
/// (<c>turbine up</c>, tests, and the source a control-plane API pushes configs into). Validation and update
/// semantics are the file source's: every section and reference is checked, a rejected update is logged error by
/// error (and returned), and the last good config keeps serving.
/// </summary>
public sealed class InMemoryGatewayConfigSource : IGatewayConfigSource
{
    /// <summary>The name errors and log lines give this source when none is set.</summary>
    public const string DefaultName = "memory";

    private readonly GatewayConfigPublisher _publisher;
    private readonly string _name;
    private readonly string _baseDirectory;

    /// <summary>Validates <paramref name="initial"/>; throws <see cref="GatewayConfigException"/> with every error when it is bad.</summary>
    /// <param name="initial">The first config.</param>
    /// <param name="name">Prefix of error messages and the origin in log lines (default <c>memory</c>).</param>
    /// <param name="baseDirectory">Folder that relative paths in the config (JWKS files) resolve against; default the current folder.</param>
    public InMemoryGatewayConfigSource(GatewayConfig initial, string name = DefaultName, string? baseDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _name = name;
        _baseDirectory = Path.GetFullPath(baseDirectory ?? Environment.CurrentDirectory);
        if (GatewayConfigLoader.Validate(initial, _name, _baseDirectory) is [_, ..] errors)
        {
            throw new GatewayConfigException(errors);
        }

        _publisher = new GatewayConfigPublisher(initial, NullLogger.Instance);
    }

    public GatewayConfig Current => _publisher.Current;

    /// <summary>The prefix of this source's errors and its origin in log lines.</summary>
    public string Name => _name;

    public event Action<GatewayConfig>? Changed
    {
        add => _publisher.Changed += value;
        remove => _publisher.Changed -= value;
    }

    /// <summary>Where update messages go; the gateway host sets its own logger when it starts.</summary>
    public ILogger Logger
    {
        get => _publisher.Logger;
        set => _publisher.Logger = value;
    }

    /// <summary>
    /// Validates <paramref name="config"/> and makes it the current snapshot (raising <see cref="Changed"/>); when it is
    /// invalid nothing changes and <paramref name="errors"/> holds every problem as <c>NAME: path: message</c>.
    /// </summary>
    /// <returns>True when applied.</returns>
    public bool TryUpdate(GatewayConfig config, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(config);
        errors = GatewayConfigLoader.Validate(config, _name, _baseDirectory);
        return _publisher.Publish(errors.Count == 0 ? config : null, errors, _name);
    }
}
