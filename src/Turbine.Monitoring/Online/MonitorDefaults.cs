using Turbine.Monitoring.Profiles;

namespace Turbine.Monitoring.Online;

/// <summary>
/// How a model is monitored when its reference profile comes from the registry (<c>turbine serve --registry</c>): the
/// same knobs as <c>--monitor</c> (window rows and duration, sampling); the task is the profile's
/// <see cref="ReferenceProfile.Task"/> when it names one, else <see cref="Task"/>.
/// </summary>
public sealed record MonitorDefaults
{
    public ModelTask Task { get; init; } = ModelTask.Classification;

    public double Sampling { get; init; } = 1.0;

    public int WindowRows { get; init; } = 1000;

    public TimeSpan WindowDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The settings for one profile.</summary>
    public MonitorSettings For(ReferenceProfile profile) => new()
    {
        Profile = profile,
        Task = profile.Task switch
        {
            "regression" => ModelTask.Regression,
            "classification" => ModelTask.Classification,
            _ => Task,
        },
        Sampling = Sampling,
        WindowRows = WindowRows,
        WindowDuration = WindowDuration,
    };
}
