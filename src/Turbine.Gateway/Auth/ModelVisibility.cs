namespace Turbine.Gateway.Auth;

/// <summary>
/// Set by authentication for a caller limited to some models: answers listing every model (statistics,
/// repository index) are cut down to the ones <see cref="Visible"/> accepts.
/// </summary>
internal sealed record ModelVisibility(Func<string, bool> Visible);
