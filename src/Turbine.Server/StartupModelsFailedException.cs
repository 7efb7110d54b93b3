namespace Turbine.Server;

/// <summary>
/// Start-up failed because models meant to load did not (<see cref="ServerOptions.ExitOnError"/>); the message names
/// each with the reason its load gave.
/// </summary>
public sealed class StartupModelsFailedException : Exception
{
    public StartupModelsFailedException(IReadOnlyList<(string Model, string Reason)> models)
        : base(Describe(models))
    {
        Models = models;
    }

    /// <summary>The models that failed, each with the reason.</summary>
    public IReadOnlyList<(string Model, string Reason)> Models { get; }

    /// <summary>One line: <c>2 model(s) failed to load: a (reason); b (reason)</c>.</summary>
    public static string Describe(IReadOnlyList<(string Model, string Reason)> models) =>
        $"{models.Count} model(s) failed to load: " + string.Join("; ", models.Select(m => $"{m.Model} ({m.Reason})"));
}
