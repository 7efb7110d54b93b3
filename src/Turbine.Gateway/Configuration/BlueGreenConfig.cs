namespace Turbine.Gateway.Configuration;

/// <summary>
/// Blue-green: all traffic goes to the active pool; <c>POST /admin/models/{m}/switch</c> flips it atomically.
/// A switch lasts until the next config change of <see cref="Active"/>.
/// </summary>
public sealed record BlueGreenConfig : IValidatableConfig
{
    public string? Blue { get; init; }

    public string? Green { get; init; }

    /// <summary><c>blue</c> (default) or <c>green</c>.</summary>
    public string Active { get; init; } = "blue";

    public void Validate(string path, ConfigValidationContext context)
    {
        if (Active is not ("blue" or "green"))
        {
            context.Error(path + ".active", $"must be 'blue' or 'green', got '{Active}'");
        }
    }
}
