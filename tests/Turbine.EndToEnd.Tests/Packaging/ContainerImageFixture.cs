namespace Turbine.EndToEnd.Tests.Packaging;

/// <summary>
/// What the container image holds, without a container runtime: the CLI published (<c>dotnet publish</c>, as the
/// Dockerfile's build stage does, less ReadyToRun, which changes start-up time only) into a folder standing for
/// <c>/opt/turbine</c>, and the Dockerfile's last stage read for its ENTRYPOINT, CMD, ENV and HEALTHCHECK.
/// </summary>
public sealed class ContainerImageFixture : IAsyncLifetime
{
    private readonly TempFolder _temp = new("turbine-image");

    public string Dockerfile => Path.Combine(SourceTree.Root, "deploy", "docker", "Dockerfile");

    /// <summary>The published <c>turbine</c> executable (the image's /opt/turbine/turbine, on PATH as <c>turbine</c>).</summary>
    public string Turbine => Path.Combine(_temp.Path, "opt", "turbine", "turbine");

    internal DockerfileSpec Spec { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Spec = DockerfileSpec.Load(Dockerfile);
        await SourceTree.DotnetAsync(TimeSpan.FromMinutes(3), "publish", SourceTree.Project("Turbine.Cli"), "-c", "Release", "--no-build",
            "-o", Path.GetDirectoryName(Turbine)!);
    }

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }
}
