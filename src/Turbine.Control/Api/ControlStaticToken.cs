namespace Turbine.Control.Api;

/// <summary>A token the control service accepts without asking the registry (standalone use); compared in constant time.</summary>
/// <param name="Name">Who holds it (shown in logs and events, never the secret).</param>
/// <param name="Secret">The bearer secret; at least <see cref="MinSecretLength"/> characters.</param>
/// <param name="Scope">What it may do.</param>
public sealed record ControlStaticToken(string Name, string Secret, ControlScope Scope)
{
    /// <summary>The shortest secret accepted.</summary>
    public const int MinSecretLength = 16;

    /// <summary>Hides the secret from logs and exception messages.</summary>
    public override string ToString() => $"ControlStaticToken {{ Name = {Name}, Scope = {Scope} }}";
}
